// AdminConfigApi: the admin API's configuration and sync routes (docs/admin-api.md), JSON in and
// out, mounted under /admin/v1 behind the admin credential:
//   GET|POST /endpoints, GET|PUT|DELETE /endpoints/{name}, POST /endpoints/{name}/test (the
//                        check's result is kept in the sync state store; GET /endpoints returns
//                        it per endpoint with its jobs' last runs, endpoint_health.h)
//   GET|POST /clients,   GET|PUT|DELETE /clients/{client_id}
//   GET|POST /jobs,      GET|PUT|DELETE /jobs/{name}, POST /jobs/{name}/run
//   GET /dead-letters[?job=], POST /dead-letters/retry[?job=], DELETE /dead-letters/{id}
//   GET /config          the configuration in effect (inline secrets redacted), and whether the
//                        file still says the same (a CLI change waits for a reload)
// A change goes through ConfigEditor (validated as a whole, every problem named with its JSON
// pointer, written atomically: the same code as the CLI) and then ConfigApplier, so it takes
// effect without a restart. Errors: {"error": {"status", "message", "problems": [...]}}.
//
// Holds references to the editor, applier, sync state and sync service, which must outlive it.
// Handle() is called concurrently; changes are serialized by the editor and the applier.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/admin_api/config_applier.h"
#include "gateway/admin_api/config_editor.h"
#include "gateway/http/http_types.h"
#include "gateway/sync/sync_service.h"
#include "gateway/sync/sync_state_store.h"

namespace duet::gateway {

class AdminConfigApi : public HttpHandler {
 public:
  // `running`: the configuration the gateway started with.
  AdminConfigApi(ConfigEditor& editor, ConfigApplier& applier, SyncStateStore& sync_state,
                 SyncService& sync, GatewayConfig running);

  HttpResponse Handle(const HttpRequest& request) override;
  HttpResponse Failure(int status, const std::string& path,
                       const std::string& message) const override;

  // The prefixes to mount this handler at.
  static std::vector<std::string> MountPrefixes();

  // Re-reads the file and applies it (SIGHUP, or after a CLI change): what Apply answered.
  Status Reload();

 private:
  HttpResponse Collection(const HttpRequest& request, const ConfigCollection& collection,
                          const std::vector<std::string_view>& rest);
  HttpResponse Jobs(const HttpRequest& request, const std::vector<std::string_view>& rest);
  StatusOr<fhir::Json> JobWithState(const JobConfig& job);
  HttpResponse DeadLetters(const HttpRequest& request, const std::vector<std::string_view>& rest);
  // GET /admin/v1/sync/history?days=14: per UTC day and job, the runs, failed runs and counts.
  HttpResponse SyncHistory(const HttpRequest& request);
  HttpResponse TestEndpoint(const std::string& name);
  // Writes through the editor, then applies; the answer for the change (problems inside the
  // item keyed `key` pointed relative to it).
  HttpResponse Change(int success_status, const std::string& what,
                      const ConfigCollection& collection, const std::string& key,
                      const std::function<StatusOr<GatewayConfig>()>& write);
  GatewayConfig Running() const;
  // Records what now runs (and the file's JSON as it was applied, for GET /config).
  void SetRunning(GatewayConfig config);
  HttpResponse RunningConfig();

  ConfigEditor& editor_;
  ConfigApplier& applier_;
  SyncStateStore& sync_state_;
  SyncService& sync_;
  std::mutex change_mutex_;           // one change (write + apply) at a time
  mutable std::mutex running_mutex_;  // guards running_
  GatewayConfig running_;
  fhir::Json running_json_;
};

}  // namespace duet::gateway
