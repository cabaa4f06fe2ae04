// SyncService: the sync jobs of a serving gateway, rebuilt whenever the configuration changes
// (admin API, admin_api/config_editor.h) without a restart. Configure() builds the new jobs first
// and keeps the old ones when that fails; otherwise it stops the old runner (a running job stops
// at its next resumable point: its outbox and watermark are in the state store) and starts the
// new one. Jobs whose schedule changed are rescheduled from now.
//
// Holds the context's references (which must outlive it) and owns the machinery. Any thread may
// call any method; Configure calls are serialized.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/config/gateway_config.h"
#include "gateway/sync/sync_context.h"
#include "gateway/sync/sync_jobs.h"

namespace duet::gateway {

class SyncService {
 public:
  explicit SyncService(SyncContext context);
  ~SyncService();
  SyncService(const SyncService&) = delete;
  SyncService& operator=(const SyncService&) = delete;

  // Told of every recorded run, of every runner built from now on (metrics). Call before
  // Configure.
  void SetRunObserver(std::function<void(const JobRun&)> observer);
  // Builds and starts the jobs of `config`, replacing the running ones.
  Status Configure(const GatewayConfig& config);
  // Queues a run of the job on the scheduling thread; kNotFound for an unknown job.
  Status RequestRun(const std::string& job);
  std::vector<std::string> JobNames() const;
  // Stops the jobs for good (server shutdown).
  void Stop();

 private:
  SyncContext context_;
  std::mutex configure_mutex_;  // one Configure at a time
  mutable std::mutex mutex_;    // guards machinery_ and schedules_
  std::shared_ptr<SyncMachinery> machinery_;
  std::map<std::string, std::string> schedules_;  // job → JobSchedule::Describe()
  std::function<void(const JobRun&)> run_observer_;
};

}  // namespace duet::gateway
