#include "gateway/sync/sync_service.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace duet::gateway {

SyncService::SyncService(SyncContext context) : context_(std::move(context)) {}

SyncService::~SyncService() { Stop(); }

Status SyncService::Configure(const GatewayConfig& config) {
  std::lock_guard<std::mutex> configure_lock(configure_mutex_);
  DUET_ASSIGN_OR_RETURN(SyncMachinery built, BuildSyncMachinery(config, context_));
  auto fresh = std::make_shared<SyncMachinery>(std::move(built));
  if (run_observer_) fresh->runner->SetRunObserver(run_observer_);
  std::map<std::string, std::string> schedules;
  for (const JobConfig& job : config.jobs) {
    DUET_ASSIGN_OR_RETURN(JobSchedule schedule, JobSchedule::FromConfig(job));
    schedules[job.name] = schedule.Describe();
  }
  std::shared_ptr<SyncMachinery> old;
  std::map<std::string, std::string> old_schedules;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    old = std::exchange(machinery_, fresh);
    old_schedules = std::exchange(schedules_, schedules);
  }
  if (old) old->runner->Stop();
  for (const auto& [name, schedule] : schedules) {
    auto before = old_schedules.find(name);
    if (before == old_schedules.end() || before->second == schedule) continue;
    if (Status rescheduled = fresh->runner->Reschedule(name); !rescheduled.ok()) {
      spdlog::warn("sync job {}: cannot reschedule: {}", name, rescheduled.message());
    }
  }
  fresh->runner->Start();
  spdlog::info("sync: {} job(s) scheduled", schedules.size());
  return Status::Ok();
}

void SyncService::SetRunObserver(std::function<void(const JobRun&)> observer) {
  std::lock_guard<std::mutex> configure_lock(configure_mutex_);
  run_observer_ = std::move(observer);
}

Status SyncService::RequestRun(const std::string& job) {
  std::shared_ptr<SyncMachinery> machinery;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    machinery = machinery_;
  }
  if (!machinery) return NotFoundError("no sync job is named \"" + job + "\"");
  return machinery->runner->RequestRun(job);
}

std::vector<std::string> SyncService::JobNames() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return machinery_ ? machinery_->runner->JobNames() : std::vector<std::string>{};
}

void SyncService::Stop() {
  std::shared_ptr<SyncMachinery> machinery;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    machinery = std::move(machinery_);
  }
  if (machinery) machinery->runner->Stop();
}

}  // namespace duet::gateway
