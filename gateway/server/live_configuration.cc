#include "gateway/server/live_configuration.h"

#include <spdlog/spdlog.h>

#include <map>

#include "fhir/json.h"

namespace duet::gateway {
namespace {

// The clients of `before` that `after` removed or registers differently.
std::vector<std::string> ChangedClients(const GatewayConfig& before, const GatewayConfig& after) {
  std::map<std::string, std::string> now;
  for (const ClientConfig& client : after.auth.clients) {
    now[client.client_id] = fhir::WriteJson(ClientToJson(client));
  }
  std::vector<std::string> changed;
  for (const ClientConfig& client : before.auth.clients) {
    auto found = now.find(client.client_id);
    if (found == now.end() || found->second != fhir::WriteJson(ClientToJson(client))) {
      changed.push_back(client.client_id);
    }
  }
  return changed;
}

void WarnAboutRestartOnlyChanges(const GatewayConfig& before, const GatewayConfig& after) {
  bool changed = before.listen.host != after.listen.host ||
                 before.listen.port != after.listen.port ||
                 before.listen.threads != after.listen.threads ||
                 before.tls.certificate != after.tls.certificate ||
                 before.tls.private_key != after.tls.private_key ||
                 before.tls.client_ca != after.tls.client_ca ||
                 before.store.path != after.store.path || before.auth.mode != after.auth.mode ||
                 before.auth.practice_token_file != after.auth.practice_token_file ||
                 before.auth.admin_token_file != after.auth.admin_token_file ||
                 before.practice.identifier_base != after.practice.identifier_base ||
                 before.limits.max_body_bytes != after.limits.max_body_bytes;
  if (changed) {
    spdlog::warn(
        "config: listen, tls, store, auth mode, token files, practice or limits changed; "
        "they take effect at the next restart");
  }
}

}  // namespace

LiveConfiguration::LiveConfiguration(SyncService& sync, ClientRegistry* clients,
                                     AccessTokens* tokens)
    : sync_(sync), clients_(clients), tokens_(tokens) {}

Status LiveConfiguration::Apply(const GatewayConfig& before, const GatewayConfig& after) {
  std::lock_guard<std::mutex> lock(mutex_);
  WarnAboutRestartOnlyChanges(before, after);
  DUET_RETURN_IF_ERROR(sync_.Configure(after));
  if (clients_ != nullptr) {
    if (Status replaced = clients_->Replace(after.auth.clients); !replaced.ok()) {
      if (Status restored = sync_.Configure(before); !restored.ok()) {
        spdlog::error("config: cannot restore the previous sync jobs: {}", restored.message());
      }
      return replaced.WithContext("auth.clients");
    }
    std::vector<std::string> changed = ChangedClients(before, after);
    if (tokens_ != nullptr && !changed.empty()) {
      spdlog::info("config: {} token(s) of {} changed or removed client(s) ended",
                   tokens_->RevokeClients(changed), changed.size());
    }
  }
  return Status::Ok();
}

}  // namespace duet::gateway
