// ConfigApplier: puts a configuration that ConfigEditor has just written into effect in the
// running gateway, without a restart: the sync jobs and their partner endpoints, and the
// registered SMART clients (a removed or changed client's live tokens end). Listen address, TLS,
// store and auth mode need a restart. Implemented by the server (gateway/server/); the admin API
// and the SIGHUP reload call it. Implementations are thread-safe.
#pragma once

#include "fhir/status.h"
#include "gateway/config/gateway_config.h"

namespace duet::gateway {

class ConfigApplier {
 public:
  virtual ~ConfigApplier() = default;
  // `before` is the configuration in effect until now.
  virtual Status Apply(const GatewayConfig& before, const GatewayConfig& after) = 0;
};

}  // namespace duet::gateway
