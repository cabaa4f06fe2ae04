// The admin API's view of partner endpoint health (docs/admin-api.md): a connection check as JSON
// (POST /admin/v1/endpoints/{name}/test), what of it the gateway keeps (EndpointHealth in the
// sync state store), and the "health" member of GET /admin/v1/endpoints: per endpoint its last
// connection check and the last run of each job that uses it.
//
// Free functions over values they are given (the store calls are the caller's thread's).
#pragma once

#include <cstdint>
#include <string>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/config/gateway_config.h"
#include "gateway/sync/endpoint_check.h"
#include "gateway/sync/sync_state_store.h"

namespace duet::gateway {

// {"started_at", "finished_at", "outcome", "message", "sent", "received", "failed"}.
fhir::Json JobRunJson(const JobRun& run);

// {"endpoint", "ok", "checked_at", "checks": [...], "certificate": {...}} (certificate only when
// the handshake showed one).
fhir::Json EndpointCheckJson(const std::string& endpoint, const EndpointCheckReport& report,
                             int64_t checked_at);

// What the store keeps of a check: ok, the first failure (else the first warning), the
// certificate's subject and expiry.
EndpointHealth HealthOfCheck(const std::string& endpoint, const EndpointCheckReport& report,
                             int64_t checked_at);

// {"<endpoint>": {"last_check": {...}, "jobs": [{"name", "kind", "last_run"}]}} for every
// endpoint of `config`; "last_check" is left out for an endpoint never checked, "last_run" for a
// job never run. Days left count from `now`.
StatusOr<fhir::Json> EndpointsHealthJson(const GatewayConfig& config, SyncStateStore& state,
                                         int64_t now);

}  // namespace duet::gateway
