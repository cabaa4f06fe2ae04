#include "gateway/config/auth_config.h"

#include <set>

#include "gateway/auth/jwk.h"
#include "gateway/auth/scopes.h"
#include "mappings/npi.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr long long kMaxTokenLifetimeSeconds = 300;  // SMART: at most five minutes

void ReadScopes(const Json& item, const std::string& pointer, ClientConfig& client,
                ConfigProblems& problems) {
  const Json* scopes = item.Find("scopes");
  if (scopes == nullptr || !scopes->is_array() || scopes->items().empty()) {
    problems.Add(pointer + "/scopes", "required: a list such as [\"system/CarePlan.rs\"]");
    return;
  }
  for (size_t i = 0; i < scopes->items().size(); ++i) {
    const Json& scope = scopes->items()[i];
    std::string at = pointer + "/scopes/" + std::to_string(i);
    if (!scope.is_string()) {
      problems.Add(at, "must be a string");
      continue;
    }
    auto parsed = ParseScope(scope.string_value());
    if (!parsed.ok()) {
      problems.Add(at, parsed.status().message());
      continue;
    }
    client.scopes.emplace_back(scope.string_value());
  }
}

void ReadKeys(const Json& item, const std::string& pointer, const std::string& base,
              ClientConfig& client, ConfigProblems& problems) {
  const Json* inline_jwks = item.Find("jwks");
  bool has_file = item.Find("jwks_file") != nullptr;
  if ((inline_jwks != nullptr) == has_file) {
    problems.Add(pointer, "give the client's public keys as exactly one of jwks or jwks_file");
    return;
  }
  if (has_file) {
    client.jwks_file = ReadFile(&item, pointer, "jwks_file", true, base, problems).value_or("");
    return;
  }
  auto keys = ReadJwks(*inline_jwks);
  if (!keys.ok()) {
    problems.Add(pointer + "/jwks", keys.status().message());
    return;
  }
  client.jwks_json = fhir::WriteJson(*inline_jwks);
}

ClientConfig ReadClient(const Json& item, const std::string& pointer, const std::string& base,
                        ConfigProblems& problems) {
  ClientConfig client;
  CheckKnownMembers(item, pointer, {"client_id", "organization_npi", "scopes", "jwks", "jwks_file"},
                    problems);
  client.client_id = ReadString(&item, pointer, "client_id", true, problems).value_or("");
  if (auto npi = ReadString(&item, pointer, "organization_npi", true, problems)) {
    if (!mappings::IsValidNpi(*npi)) {
      problems.Add(pointer + "/organization_npi",
                   "\"" + *npi + "\" is not a valid NPI (10 digits with a Luhn check digit)");
    }
    client.organization_npi = *npi;
  }
  ReadScopes(item, pointer, client, problems);
  ReadKeys(item, pointer, base, client, problems);
  return client;
}

void ReadClients(const Json& auth, const std::string& base, AuthConfig& config,
                 ConfigProblems& problems) {
  const Json* clients = auth.Find("clients");
  if (clients == nullptr) return;
  if (!clients->is_array()) {
    problems.Add("/auth/clients", "must be a list");
    return;
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < clients->items().size(); ++i) {
    std::string pointer = "/auth/clients/" + std::to_string(i);
    const Json& item = clients->items()[i];
    if (!item.is_object()) {
      problems.Add(pointer, "must be an object");
      continue;
    }
    ClientConfig client = ReadClient(item, pointer, base, problems);
    if (!client.client_id.empty() && !ids.insert(client.client_id).second) {
      problems.Add(pointer + "/client_id", "\"" + client.client_id + "\" is registered twice");
    }
    config.clients.push_back(std::move(client));
  }
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

void ReadAuthConfig(const Json& root, const std::string& base_directory,
                    const std::string& listen_host, AuthConfig& config, ConfigProblems& problems) {
  const Json* auth = ReadObject(&root, "", "auth", true, problems);
  if (auth == nullptr) return;
  CheckKnownMembers(
      *auth, "/auth",
      {"mode", "token_lifetime_seconds", "clients", "practice_token_file", "admin_token_file"},
      problems);
  config.mode = ReadString(auth, "/auth", "mode", true, problems).value_or("");
  if (config.mode == "development") {
    if (!listen_host.empty() && !IsLoopbackHost(listen_host)) {
      problems.Add("/auth/mode",
                   "development mode (no authorization) listens on loopback only (127.0.0.1, ::1 "
                   "or localhost), not \"" +
                       listen_host + "\"; use \"smart\"");
    }
  } else if (!config.mode.empty() && config.mode != "smart") {
    problems.Add("/auth/mode", "must be smart or development (got \"" + config.mode + "\")");
  }
  if (auto lifetime = ReadInteger(auth, "/auth", "token_lifetime_seconds", false, 30,
                                  kMaxTokenLifetimeSeconds, problems)) {
    config.token_lifetime_seconds = static_cast<int>(*lifetime);
  }
  ReadClients(*auth, base_directory, config, problems);
  config.practice_token_file =
      ReadFile(auth, "/auth", "practice_token_file", false, base_directory, problems).value_or("");
  config.admin_token_file =
      ReadFile(auth, "/auth", "admin_token_file", false, base_directory, problems).value_or("");
}

Json ClientToJson(const ClientConfig& client) {
  Json json = Json::MakeObject();
  json.Set("client_id", Json::String(client.client_id));
  json.Set("organization_npi", Json::String(client.organization_npi));
  Json scopes = Json::MakeArray();
  for (const std::string& scope : client.scopes) scopes.Append(Json::String(scope));
  json.Set("scopes", std::move(scopes));
  if (!client.jwks_file.empty()) json.Set("jwks_file", Json::String(client.jwks_file));
  if (!client.jwks_json.empty()) {
    auto jwks = fhir::ParseJson(client.jwks_json);
    if (jwks.ok()) json.Set("jwks", std::move(*jwks));
  }
  return json;
}

}  // namespace duet::gateway
