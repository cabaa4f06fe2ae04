// Building the configured sync machinery: a FhirClient per partner endpoint (TLS, mTLS, auth)
// and a SyncRunner with one job per `jobs[]` entry. Used by `duet serve` (which starts the
// runner) and by `duet sync run` (which runs jobs once).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "fhir/client/fhir_client.h"
#include "gateway/config/gateway_config.h"
#include "gateway/sync/endpoint_auth.h"
#include "gateway/sync/sync_context.h"
#include "gateway/sync/sync_runner.h"

namespace duet::gateway {

// The client for one endpoint, with its CA bundle, client certificate and authorization.
StatusOr<std::unique_ptr<fhir::FhirClient>> MakeEndpointClient(const EndpointConfig& endpoint);

// Everything the jobs use, owned together; destroy the runner first (the jobs hold references).
struct SyncMachinery {
  std::map<std::string, std::unique_ptr<fhir::FhirClient>> clients;  // by endpoint name
  std::unique_ptr<SyncRunner> runner;
};

// One job per configured job, each with its endpoint's client.
StatusOr<SyncMachinery> BuildSyncMachinery(const GatewayConfig& config, const SyncContext& context);

}  // namespace duet::gateway
