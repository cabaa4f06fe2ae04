// LiveConfiguration: the server's ConfigApplier. Puts a new configuration into effect in the
// running gateway: rebuilds the sync jobs (SyncService) and swaps the registered SMART clients,
// ending the live tokens of clients that were removed or changed. What only a restart changes
// (listen address, TLS, store, auth mode, tokens files) is logged as waiting for a restart.
//
// Holds references to the sync service and, in smart mode, the client registry and token table;
// all must outlive it. Apply may be called from any thread; calls are serialized.
#pragma once

#include <mutex>

#include "gateway/admin_api/config_applier.h"
#include "gateway/auth/access_tokens.h"
#include "gateway/auth/client_registry.h"
#include "gateway/sync/sync_service.h"

namespace duet::gateway {

class LiveConfiguration : public ConfigApplier {
 public:
  // `clients` and `tokens` are null in development mode.
  LiveConfiguration(SyncService& sync, ClientRegistry* clients, AccessTokens* tokens);

  Status Apply(const GatewayConfig& before, const GatewayConfig& after) override;

 private:
  SyncService& sync_;
  ClientRegistry* clients_;
  AccessTokens* tokens_;
  std::mutex mutex_;
};

}  // namespace duet::gateway
