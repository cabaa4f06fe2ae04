#include "gateway/config/gateway_config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <vector>

#include "fhir/json.h"
#include "gateway/config/config_reader.h"
#include "mappings/npi.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr long long kMaxThreads = 1024;
constexpr long long kMinBodyBytes = 1024;
constexpr long long kMaxBodyBytes = 1024LL * 1024 * 1024;
constexpr long long kMinHeaderBytes = 1024;
constexpr long long kMaxHeaderBytes = 1024LL * 1024;
constexpr long long kMaxRequestRate = 1000000;
constexpr long long kMaxTimeoutSeconds = 3600;
constexpr long long kMaxAuditRetentionDays = 36500;

// The section object, or nullptr (reporting a problem when it is required or not an object).
const Json* Section(const Json& root, std::string_view name, bool required,
                    ConfigProblems& problems) {
  return ReadObject(&root, "", name, required, problems);
}

void ReadListen(const Json& root, GatewayConfig& config, ConfigProblems& problems) {
  const Json* listen = Section(root, "listen", true, problems);
  if (listen == nullptr) return;
  CheckKnownMembers(*listen, "/listen", {"host", "port", "threads"}, problems);
  if (auto host = ReadString(listen, "/listen", "host", true, problems)) {
    if (host->find_first_of(" /?#@") != std::string::npos) {
      problems.Add("/listen/host", "must be a host name or IP address (got \"" + *host + "\")");
    } else {
      config.listen.host = *host;
    }
  }
  if (auto port = ReadInteger(listen, "/listen", "port", true, 1, 65535, problems)) {
    config.listen.port = static_cast<int>(*port);
  }
  if (auto threads = ReadInteger(listen, "/listen", "threads", false, 1, kMaxThreads, problems)) {
    config.listen.threads = static_cast<size_t>(*threads);
  }
}

void ReadTls(const Json& root, const std::string& base, GatewayConfig& config,
             ConfigProblems& problems) {
  const Json* tls = Section(root, "tls", true, problems);
  if (tls == nullptr) return;
  CheckKnownMembers(*tls, "/tls", {"certificate", "private_key", "client_ca"}, problems);
  if (auto path = ReadString(tls, "/tls", "certificate", true, problems)) {
    config.tls.certificate = ResolvePath(base, *path);
  }
  if (auto path = ReadString(tls, "/tls", "private_key", true, problems)) {
    config.tls.private_key = ResolvePath(base, *path);
  }
  if (auto path = ReadString(tls, "/tls", "client_ca", false, problems)) {
    config.tls.client_ca = ResolvePath(base, *path);
  }
}

void ReadStore(const Json& root, const std::string& base, GatewayConfig& config,
               ConfigProblems& problems) {
  const Json* store = Section(root, "store", true, problems);
  if (store == nullptr) return;
  CheckKnownMembers(*store, "/store", {"path"}, problems);
  if (auto path = ReadString(store, "/store", "path", true, problems)) {
    config.store.path = ResolvePath(base, *path);
  }
}

void ReadPractice(const Json& root, GatewayConfig& config, ConfigProblems& problems) {
  const Json* practice = Section(root, "practice", true, problems);
  if (practice == nullptr) return;
  CheckKnownMembers(*practice, "/practice", {"identifier_base", "organization_npi"}, problems);
  if (auto base = ReadString(practice, "/practice", "identifier_base", true, problems)) {
    if (IsAbsoluteUri(*base)) {
      config.practice.identifier_base = *base;
    } else {
      problems.Add("/practice/identifier_base",
                   "must be an absolute URI such as https://practice.example.org/id (got \"" +
                       *base + "\")");
    }
  }
  if (auto npi = ReadString(practice, "/practice", "organization_npi", false, problems)) {
    if (mappings::IsValidNpi(*npi)) {
      config.practice.organization_npi = *npi;
    } else {
      problems.Add("/practice/organization_npi",
                   "\"" + *npi + "\" is not a valid NPI (10 digits with a Luhn check digit)");
    }
  }
}

// Jobs that take in referrals addressed to the practice must know the practice's NPI.
void CheckJobsHavePractice(const GatewayConfig& config, ConfigProblems& problems) {
  for (size_t i = 0; i < config.jobs.size(); ++i) {
    if (config.jobs[i].kind != "pull_referrals" || !config.practice.organization_npi.empty()) {
      continue;
    }
    problems.Add("/practice/organization_npi",
                 "required by job " + config.jobs[i].name +
                     " (pull_referrals takes in the referrals whose Task owner has this NPI)");
    return;
  }
}

void ReadLimits(const Json& root, GatewayConfig& config, ConfigProblems& problems) {
  const Json* limits = Section(root, "limits", false, problems);
  if (limits == nullptr) return;
  CheckKnownMembers(*limits, "/limits",
                    {"max_body_bytes", "max_header_bytes", "requests_per_second", "burst",
                     "idle_timeout_seconds", "request_timeout_seconds"},
                    problems);
  auto read = [&](std::string_view field, long long min, long long max) {
    return ReadInteger(limits, "/limits", field, false, min, max, problems);
  };
  if (auto bytes = read("max_body_bytes", kMinBodyBytes, kMaxBodyBytes)) {
    config.limits.max_body_bytes = static_cast<size_t>(*bytes);
  }
  if (auto bytes = read("max_header_bytes", kMinHeaderBytes, kMaxHeaderBytes)) {
    config.limits.max_header_bytes = static_cast<size_t>(*bytes);
  }
  if (auto rate = read("requests_per_second", 1, kMaxRequestRate)) {
    config.limits.requests_per_second = static_cast<double>(*rate);
  }
  if (auto burst = read("burst", 1, kMaxRequestRate)) {
    config.limits.burst = static_cast<double>(*burst);
  }
  if (auto seconds = read("idle_timeout_seconds", 1, kMaxTimeoutSeconds)) {
    config.limits.idle_timeout_seconds = static_cast<int>(*seconds);
  }
  if (auto seconds = read("request_timeout_seconds", 1, kMaxTimeoutSeconds)) {
    config.limits.request_timeout_seconds = static_cast<int>(*seconds);
  }
}

void ReadFhir(const Json& root, GatewayConfig& config, ConfigProblems& problems) {
  const Json* fhir_section = Section(root, "fhir", false, problems);
  if (fhir_section == nullptr) return;
  CheckKnownMembers(*fhir_section, "/fhir", {"base_url"}, problems);
  if (auto url = ReadString(fhir_section, "/fhir", "base_url", false, problems)) {
    bool http = url->rfind("https://", 0) == 0 || url->rfind("http://", 0) == 0;
    if (!http || url->find_first_of("?# \t") != std::string::npos) {
      problems.Add("/fhir/base_url",
                   "must be an http(s) URL without query or fragment (got \"" + *url + "\")");
    } else {
      while (!url->empty() && url->back() == '/') url->pop_back();
      config.fhir.base_url = *url;
    }
  }
}

void ReadAudit(const Json& root, GatewayConfig& config, ConfigProblems& problems) {
  const Json* audit = Section(root, "audit", false, problems);
  if (audit == nullptr) return;
  CheckKnownMembers(*audit, "/audit", {"retention_days"}, problems);
  auto days =
      ReadInteger(audit, "/audit", "retention_days", false, 0, kMaxAuditRetentionDays, problems);
  if (!days) return;
  if (*days < kMinimumAuditRetentionDays) {
    problems.Add("/audit/retention_days",
                 "must be at least " + std::to_string(kMinimumAuditRetentionDays) +
                     " (six years, HIPAA's retention period for security records; got " +
                     std::to_string(*days) + "); leave it out to keep the records for good");
    return;
  }
  config.audit.retention_days = *days;
}

void ReadLog(const Json& root, GatewayConfig& config, ConfigProblems& problems) {
  const Json* log = Section(root, "log", false, problems);
  if (log == nullptr) return;
  CheckKnownMembers(*log, "/log", {"level", "format"}, problems);
  if (auto level = ReadString(log, "/log", "level", false, problems)) {
    static const std::vector<std::string> kLevels = {"trace", "debug",    "info", "warn",
                                                     "error", "critical", "off"};
    if (std::find(kLevels.begin(), kLevels.end(), *level) == kLevels.end()) {
      problems.Add(
          "/log/level",
          "must be one of trace, debug, info, warn, error, critical, off (got \"" + *level + "\")");
    } else {
      config.log.level = *level;
    }
  }
  if (auto format = ReadString(log, "/log", "format", false, problems)) {
    if (*format != "json" && *format != "text") {
      problems.Add("/log/format", "must be json or text (got \"" + *format + "\")");
    } else {
      config.log.format = *format;
    }
  }
}

}  // namespace

StatusOr<GatewayConfig> ParseGatewayConfig(std::string_view text,
                                           const std::string& base_directory) {
  StatusOr<Json> parsed = fhir::ParseJson(text);
  if (!parsed.ok()) return InvalidArgumentError("not valid JSON: " + parsed.status().message());
  const Json& root = *parsed;
  if (!root.is_object()) return InvalidArgumentError("the configuration must be a JSON object");

  GatewayConfig config;
  ConfigProblems problems;
  CheckKnownMembers(root, "",
                    {"listen", "tls", "store", "practice", "limits", "fhir", "audit", "log", "auth",
                     "endpoints", "jobs"},
                    problems);
  ReadListen(root, config, problems);
  ReadTls(root, base_directory, config, problems);
  ReadStore(root, base_directory, config, problems);
  ReadPractice(root, config, problems);
  ReadLimits(root, config, problems);
  ReadFhir(root, config, problems);
  ReadAudit(root, config, problems);
  ReadLog(root, config, problems);
  ReadAuthConfig(root, base_directory, config.listen.host, config.auth, problems);
  ReadSyncConfig(root, base_directory, config.endpoints, config.jobs, problems);
  CheckJobsHavePractice(config, problems);
  if (!problems.empty()) return InvalidArgumentError(problems.Joined());
  return config;
}

StatusOr<GatewayConfig> LoadGatewayConfig(const std::string& path) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) absolute = path;
  std::ifstream file(absolute, std::ios::binary);
  if (!file) {
    return NotFoundError("config " + path + ": cannot read: " + std::strerror(errno));
  }
  std::ostringstream text;
  text << file.rdbuf();
  StatusOr<GatewayConfig> config =
      ParseGatewayConfig(text.str(), absolute.parent_path().lexically_normal().string());
  if (!config.ok()) {
    return Status(config.status().code(), "config " + path + ":\n" + config.status().message());
  }
  config->source_path = absolute.lexically_normal().string();
  return config;
}

}  // namespace duet::gateway
