#include "gateway/auth/client_registry.h"

#include <fstream>
#include <sstream>

namespace duet::gateway {
namespace {

constexpr int64_t kReloadIntervalSeconds = 60;

}  // namespace

StatusOr<std::vector<PublicJwk>> ClientRegistry::LoadKeys(const ClientConfig& config) {
  std::string text = config.jwks_json;
  std::string where = "inline jwks";
  if (!config.jwks_file.empty()) {
    std::ifstream file(config.jwks_file, std::ios::binary);
    if (!file) return NotFoundError("cannot read " + config.jwks_file);
    std::ostringstream buffer;
    buffer << file.rdbuf();
    text = buffer.str();
    where = config.jwks_file;
  }
  auto jwks = fhir::ParseJson(text);
  if (!jwks.ok()) return InvalidArgumentError(where + ": not JSON: " + jwks.status().message());
  auto keys = ReadJwks(*jwks);
  if (!keys.ok()) return InvalidArgumentError(where + ": " + keys.status().message());
  return keys;
}

StatusOr<std::map<std::string, ClientRegistry::Entry>> ClientRegistry::Build(
    const std::vector<ClientConfig>& clients) {
  std::map<std::string, Entry> entries;
  for (const ClientConfig& config : clients) {
    Entry entry;
    entry.config = config;
    entry.client.client_id = config.client_id;
    entry.client.organization_npi = config.organization_npi;
    for (const std::string& text : config.scopes) {
      auto scope = ParseScope(text);
      if (!scope.ok()) return scope.status().WithContext("client " + config.client_id);
      entry.client.allowed_scopes.push_back(std::move(*scope));
    }
    auto keys = LoadKeys(config);
    if (!keys.ok()) return keys.status().WithContext("client " + config.client_id);
    entry.keys = std::move(*keys);
    entries.emplace(config.client_id, std::move(entry));
  }
  return entries;
}

StatusOr<std::unique_ptr<ClientRegistry>> ClientRegistry::Create(
    const std::vector<ClientConfig>& clients) {
  auto registry = std::unique_ptr<ClientRegistry>(new ClientRegistry());
  DUET_ASSIGN_OR_RETURN(registry->clients_, Build(clients));
  return registry;
}

Status ClientRegistry::Replace(const std::vector<ClientConfig>& clients) {
  DUET_ASSIGN_OR_RETURN(auto entries, Build(clients));
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [client_id, entry] : entries) {
    auto before = clients_.find(client_id);
    if (before != clients_.end()) entry.last_reload = before->second.last_reload;
  }
  clients_ = std::move(entries);
  return Status::Ok();
}

std::optional<RegisteredClient> ClientRegistry::Find(const std::string& client_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = clients_.find(client_id);
  if (found == clients_.end()) return std::nullopt;
  return found->second.client;
}

StatusOr<PublicJwk> ClientRegistry::Key(const std::string& client_id, const std::string& key_id,
                                        int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = clients_.find(client_id);
  if (found == clients_.end()) return NotFoundError("no client " + client_id);
  Entry& entry = found->second;
  auto lookup = [&]() -> const PublicJwk* {
    for (const PublicJwk& key : entry.keys) {
      if (key.key_id == key_id) return &key;
    }
    return nullptr;
  };
  if (const PublicJwk* key = lookup()) return *key;
  if (!entry.config.jwks_file.empty() && now - entry.last_reload >= kReloadIntervalSeconds) {
    entry.last_reload = now;
    auto keys = LoadKeys(entry.config);
    if (keys.ok()) entry.keys = std::move(*keys);  // a broken file keeps the keys we had
    if (const PublicJwk* key = lookup()) return *key;
  }
  return NotFoundError("client " + client_id + " has no key with kid \"" + key_id + "\"");
}

}  // namespace duet::gateway
