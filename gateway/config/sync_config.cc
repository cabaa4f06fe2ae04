#include "gateway/config/sync_config.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "fhir/search/date_range.h"
#include "gateway/sync/cron_schedule.h"
#include "mappings/npi.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr long long kMinIntervalSeconds = 10;

bool IsName(const std::string& text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

void ReadEndpointTls(const Json* tls, const std::string& pointer, const std::string& base,
                     EndpointConfig& endpoint, ConfigProblems& problems) {
  if (tls == nullptr) return;
  CheckKnownMembers(*tls, pointer, {"ca_file", "client_certificate", "client_key"}, problems);
  endpoint.tls.ca_file = ReadFile(tls, pointer, "ca_file", false, base, problems).value_or("");
  endpoint.tls.client_certificate =
      ReadFile(tls, pointer, "client_certificate", false, base, problems).value_or("");
  endpoint.tls.client_key =
      ReadFile(tls, pointer, "client_key", false, base, problems).value_or("");
  bool certificate = tls->Find("client_certificate") != nullptr;
  bool key = tls->Find("client_key") != nullptr;
  if (certificate != key) {
    problems.Add(pointer, "client_certificate and client_key go together (mutual TLS)");
  }
}

void ReadSmartAuth(const Json& auth, const std::string& pointer, const std::string& base,
                   EndpointConfig& endpoint, ConfigProblems& problems) {
  CheckKnownMembers(
      auth, pointer,
      {"method", "client_id", "token_url", "private_key_file", "kid", "algorithm", "scopes"},
      problems);
  endpoint.auth.client_id = ReadString(&auth, pointer, "client_id", true, problems).value_or("");
  if (auto url = ReadString(&auth, pointer, "token_url", true, problems)) {
    if (url->rfind("https://", 0) != 0) {
      problems.Add(pointer + "/token_url", "must be an https URL (got \"" + *url + "\")");
    }
    endpoint.auth.token_url = *url;
  }
  endpoint.auth.private_key_file =
      ReadFile(&auth, pointer, "private_key_file", true, base, problems).value_or("");
  endpoint.auth.key_id = ReadString(&auth, pointer, "kid", true, problems).value_or("");
  if (auto algorithm = ReadString(&auth, pointer, "algorithm", false, problems)) {
    if (*algorithm != "ES384" && *algorithm != "RS384") {
      problems.Add(pointer + "/algorithm", "must be ES384 or RS384 (got \"" + *algorithm + "\")");
    }
    endpoint.auth.algorithm = *algorithm;
  }
  if (auto scopes = ReadString(&auth, pointer, "scopes", true, problems)) {
    if (scopes->rfind("system/", 0) != 0) {
      problems.Add(pointer + "/scopes",
                   "backend services ask for system/ scopes, e.g. \"system/CarePlan.rs\"");
    }
    endpoint.auth.scopes = *scopes;
  }
}

void ReadEndpointAuth(const Json* auth, const std::string& pointer, const std::string& base,
                      EndpointConfig& endpoint, ConfigProblems& problems) {
  if (auth == nullptr) return;
  std::string method = ReadString(auth, pointer, "method", true, problems).value_or("");
  endpoint.auth.method = method;
  if (method == "none") {
    CheckKnownMembers(*auth, pointer, {"method"}, problems);
  } else if (method == "bearer") {
    CheckKnownMembers(*auth, pointer, {"method", "token_file"}, problems);
    endpoint.auth.token_file =
        ReadFile(auth, pointer, "token_file", true, base, problems).value_or("");
  } else if (method == "smart") {
    ReadSmartAuth(*auth, pointer, base, endpoint, problems);
  } else if (!method.empty()) {
    problems.Add(pointer + "/method", "must be none, bearer or smart (got \"" + method + "\")");
  }
}

EndpointConfig ReadEndpoint(const Json& item, const std::string& pointer, const std::string& base,
                            ConfigProblems& problems) {
  EndpointConfig endpoint;
  CheckKnownMembers(item, pointer,
                    {"name", "base_url", "organization_npi", "timeout_seconds",
                     "max_transaction_entries", "tls", "auth"},
                    problems);
  if (auto name = ReadString(&item, pointer, "name", true, problems)) {
    if (!IsName(*name)) {
      problems.Add(pointer + "/name", "use 1-64 of a-z, 0-9, '-' and '_' (got \"" + *name + "\")");
    }
    endpoint.name = *name;
  }
  if (auto url = ReadString(&item, pointer, "base_url", true, problems)) {
    if (url->rfind("https://", 0) != 0 || url->find_first_of("?# \t") != std::string::npos) {
      problems.Add(pointer + "/base_url",
                   "must be an https URL without query or fragment (got \"" + *url + "\")");
    }
    while (!url->empty() && url->back() == '/') url->pop_back();
    endpoint.base_url = *url;
  }
  if (auto npi = ReadString(&item, pointer, "organization_npi", true, problems)) {
    if (!mappings::IsValidNpi(*npi)) {
      problems.Add(pointer + "/organization_npi",
                   "\"" + *npi + "\" is not a valid NPI (10 digits with a Luhn check digit)");
    }
    endpoint.organization_npi = *npi;
  }
  if (auto timeout = ReadInteger(&item, pointer, "timeout_seconds", false, 1, 600, problems)) {
    endpoint.timeout_seconds = static_cast<int>(*timeout);
  }
  if (auto entries =
          ReadInteger(&item, pointer, "max_transaction_entries", false, 1, 100000, problems)) {
    endpoint.max_transaction_entries = static_cast<size_t>(*entries);
  }
  ReadEndpointTls(ReadObject(&item, pointer, "tls", false, problems), pointer + "/tls", base,
                  endpoint, problems);
  ReadEndpointAuth(ReadObject(&item, pointer, "auth", false, problems), pointer + "/auth", base,
                   endpoint, problems);
  return endpoint;
}

// `repull_every` and `as_of`, which only pull_medication_history jobs take.
void ReadMedicationHistoryOptions(const Json& item, const std::string& pointer, JobConfig& job,
                                  ConfigProblems& problems) {
  auto repull = ReadString(&item, pointer, "repull_every", false, problems);
  auto as_of = ReadString(&item, pointer, "as_of", false, problems);
  if ((repull || as_of) && job.kind != "pull_medication_history") {
    problems.Add(pointer + (repull ? "/repull_every" : "/as_of"),
                 "only pull_medication_history jobs take this");
  }
  if (repull) {
    job.repull_every_seconds = ParseInterval(*repull);
    if (job.repull_every_seconds < kMinIntervalSeconds) {
      problems.Add(pointer + "/repull_every",
                   "must be an interval of at least 10s such as \"12h\" or \"7d\" (got \"" +
                       *repull + "\")");
    }
  }
  if (as_of) {
    auto day = fhir::ParseDateRange(*as_of);
    if (as_of->size() != 10 || !day.ok()) {
      problems.Add(pointer + "/as_of", "must be a date YYYY-MM-DD (got \"" + *as_of + "\")");
    }
    job.as_of = *as_of;
  }
}

JobConfig ReadJob(const Json& item, const std::string& pointer,
                  const std::set<std::string>& endpoint_names, ConfigProblems& problems) {
  JobConfig job;
  CheckKnownMembers(item, pointer,
                    {"name", "kind", "endpoint", "every", "cron", "repull_every", "as_of"},
                    problems);
  if (auto name = ReadString(&item, pointer, "name", true, problems)) {
    if (!IsName(*name)) {
      problems.Add(pointer + "/name", "use 1-64 of a-z, 0-9, '-' and '_' (got \"" + *name + "\")");
    }
    job.name = *name;
  }
  if (auto kind = ReadString(&item, pointer, "kind", true, problems)) {
    if (std::find(std::begin(kJobKinds), std::end(kJobKinds), *kind) == std::end(kJobKinds)) {
      std::string known;
      for (const char* name : kJobKinds) known += (known.empty() ? "" : ", ") + std::string(name);
      problems.Add(pointer + "/kind", "must be one of the job kinds this version runs: " + known +
                                          " (got \"" + *kind + "\")");
    }
    job.kind = *kind;
  }
  if (auto endpoint = ReadString(&item, pointer, "endpoint", true, problems)) {
    if (endpoint_names.count(*endpoint) == 0) {
      problems.Add(pointer + "/endpoint", "no endpoint is named \"" + *endpoint + "\"");
    }
    job.endpoint = *endpoint;
  }
  auto every = ReadString(&item, pointer, "every", false, problems);
  auto cron = ReadString(&item, pointer, "cron", false, problems);
  if (every.has_value() == cron.has_value()) {
    problems.Add(pointer, "give exactly one schedule: \"every\" (e.g. \"15m\") or \"cron\"");
  }
  if (every) {
    job.every_seconds = ParseInterval(*every);
    if (job.every_seconds < kMinIntervalSeconds) {
      problems.Add(pointer + "/every",
                   "must be an interval of at least 10s such as \"90s\", \"15m\", \"2h\" or "
                   "\"1d\" (got \"" +
                       *every + "\")");
    }
  }
  if (cron) {
    auto schedule = CronSchedule::Parse(*cron);
    if (!schedule.ok()) problems.Add(pointer + "/cron", schedule.status().message());
    job.cron = *cron;
  }
  ReadMedicationHistoryOptions(item, pointer, job, problems);
  return job;
}

template <typename Item, typename ReadFn>
std::vector<Item> ReadArray(const Json& root, const std::string& field, ConfigProblems& problems,
                            ReadFn read) {
  std::vector<Item> items;
  const Json* list = root.Find(field);
  if (list == nullptr) return items;
  if (!list->is_array()) {
    problems.Add("/" + field, "must be an array");
    return items;
  }
  std::set<std::string> names;
  for (size_t i = 0; i < list->items().size(); ++i) {
    std::string pointer = "/" + field + "/" + std::to_string(i);
    const Json& item = list->items()[i];
    if (!item.is_object()) {
      problems.Add(pointer, "must be an object");
      continue;
    }
    Item read_item = read(item, pointer);
    if (!read_item.name.empty() && !names.insert(read_item.name).second) {
      problems.Add(pointer + "/name", "\"" + read_item.name + "\" is used twice");
    }
    items.push_back(std::move(read_item));
  }
  return items;
}

}  // namespace

long long ParseInterval(std::string_view text) {
  if (text.size() < 2) return -1;
  std::string_view digits = text.substr(0, text.size() - 1);
  if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return -1;
  }
  long long value = std::stoll(std::string(digits));
  switch (text.back()) {
    case 's': return value;
    case 'm': return value * 60;
    case 'h': return value * 3600;
    case 'd': return value * 86400;
    default: return -1;
  }
}

void ReadSyncConfig(const Json& root, const std::string& base_directory,
                    std::vector<EndpointConfig>& endpoints, std::vector<JobConfig>& jobs,
                    ConfigProblems& problems) {
  endpoints = ReadArray<EndpointConfig>(
      root, "endpoints", problems, [&](const Json& item, const std::string& pointer) {
        return ReadEndpoint(item, pointer, base_directory, problems);
      });
  std::set<std::string> names;
  for (const EndpointConfig& endpoint : endpoints) names.insert(endpoint.name);
  jobs = ReadArray<JobConfig>(root, "jobs", problems,
                              [&](const Json& item, const std::string& pointer) {
                                return ReadJob(item, pointer, names, problems);
                              });
}

Json EndpointToJson(const EndpointConfig& endpoint) {
  Json json = Json::MakeObject();
  json.Set("name", Json::String(endpoint.name));
  json.Set("base_url", Json::String(endpoint.base_url));
  json.Set("organization_npi", Json::String(endpoint.organization_npi));
  json.Set("timeout_seconds", Json::Integer(endpoint.timeout_seconds));
  if (endpoint.max_transaction_entries > 0) {
    json.Set("max_transaction_entries",
             Json::Integer(static_cast<long long>(endpoint.max_transaction_entries)));
  }
  Json tls = Json::MakeObject();
  if (!endpoint.tls.ca_file.empty()) tls.Set("ca_file", Json::String(endpoint.tls.ca_file));
  if (!endpoint.tls.client_certificate.empty()) {
    tls.Set("client_certificate", Json::String(endpoint.tls.client_certificate));
    tls.Set("client_key", Json::String(endpoint.tls.client_key));
  }
  if (!tls.members().empty()) json.Set("tls", std::move(tls));
  Json auth = Json::MakeObject();
  auth.Set("method", Json::String(endpoint.auth.method));
  if (endpoint.auth.method == "bearer") {
    auth.Set("token_file", Json::String(endpoint.auth.token_file));
  } else if (endpoint.auth.method == "smart") {
    auth.Set("client_id", Json::String(endpoint.auth.client_id));
    auth.Set("token_url", Json::String(endpoint.auth.token_url));
    auth.Set("private_key_file", Json::String(endpoint.auth.private_key_file));
    auth.Set("kid", Json::String(endpoint.auth.key_id));
    auth.Set("algorithm", Json::String(endpoint.auth.algorithm));
    auth.Set("scopes", Json::String(endpoint.auth.scopes));
  }
  json.Set("auth", std::move(auth));
  return json;
}

}  // namespace duet::gateway
