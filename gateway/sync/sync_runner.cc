#include "gateway/sync/sync_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <limits>

namespace duet::gateway {

StatusOr<JobSchedule> JobSchedule::FromConfig(const JobConfig& job) {
  JobSchedule schedule;
  if (!job.cron.empty()) {
    DUET_ASSIGN_OR_RETURN(CronSchedule cron, CronSchedule::Parse(job.cron));
    schedule.cron_ = std::move(cron);
  } else if (job.every_seconds > 0) {
    schedule.every_seconds_ = job.every_seconds;
  } else {
    return InvalidArgumentError("job " + job.name + " has no schedule");
  }
  return schedule;
}

int64_t JobSchedule::NextAfter(int64_t last_start) const {
  if (cron_) return cron_->NextAfter(last_start);
  return last_start + every_seconds_;
}

std::string JobSchedule::Describe() const {
  if (cron_) return "cron " + cron_->expression();
  return "every " + std::to_string(every_seconds_) + "s";
}

SyncRunner::SyncRunner(SyncStateStore& state, Clock clock)
    : state_(state), clock_(std::move(clock)) {}

SyncRunner::~SyncRunner() { Stop(); }

void SyncRunner::AddJob(std::string name, JobSchedule schedule, std::unique_ptr<SyncJob> job) {
  jobs_.emplace(std::move(name), Entry{std::move(schedule), std::move(job)});
}

void SyncRunner::SetRunObserver(std::function<void(const JobRun&)> observer) {
  run_observer_ = std::move(observer);
}

std::vector<std::string> SyncRunner::JobNames() const {
  std::vector<std::string> names;
  for (const auto& [name, entry] : jobs_) names.push_back(name);
  return names;
}

StatusOr<JobRun> SyncRunner::RunNow(const std::string& name) {
  auto found = jobs_.find(name);
  if (found == jobs_.end()) return NotFoundError("no sync job is named \"" + name + "\"");
  std::lock_guard<std::mutex> lock(run_mutex_);
  JobRun run;
  run.job = name;
  run.started_at = clock_();
  auto report = found->second.job->RunOnce([this] {
    std::lock_guard<std::mutex> wake_lock(wake_mutex_);
    return stopping_;
  });
  run.finished_at = clock_();
  if (report.ok()) {
    run.outcome = report->failed == 0 ? "ok" : "partial";
    run.message = report->message;
    run.sent = report->sent;
    run.received = report->received;
    run.failed = report->failed;
    spdlog::info("sync job {}: {} ({} sent, {} received, {} failed)", name, run.outcome, run.sent,
                 run.received, run.failed);
  } else {
    run.outcome = "failed";
    run.message = report.status().message();
    spdlog::warn("sync job {} failed: {}", name, run.message);
  }
  DUET_RETURN_IF_ERROR(state_.RecordRun(run));
  if (run_observer_) run_observer_(run);
  int64_t next = found->second.schedule.NextAfter(run.started_at);
  if (next < 0) next = std::numeric_limits<int64_t>::max();  // a cron date that never comes
  DUET_RETURN_IF_ERROR(state_.SetNextRun(name, next));
  return run;
}

std::vector<JobRun> SyncRunner::RunDue() {
  std::vector<JobRun> runs;
  for (const auto& [name, entry] : jobs_) {
    {
      std::lock_guard<std::mutex> lock(wake_mutex_);
      if (stopping_) break;
    }
    auto state = state_.LoadJob(name);
    if (!state.ok()) {
      spdlog::error("sync job {}: cannot read its state: {}", name, state.status().message());
      continue;
    }
    if (state->next_run_at > clock_()) continue;
    auto run = RunNow(name);
    if (run.ok()) {
      runs.push_back(std::move(*run));
    } else {
      spdlog::error("sync job {}: cannot record its run: {}", name, run.status().message());
    }
  }
  return runs;
}

int64_t SyncRunner::EarliestNextRun() {
  int64_t earliest = clock_() + 60;
  for (const auto& [name, entry] : jobs_) {
    auto state = state_.LoadJob(name);
    if (state.ok()) earliest = std::min(earliest, state->next_run_at);
  }
  return earliest;
}

void SyncRunner::Loop() {
  while (true) {
    RunDue();
    int64_t wait_seconds = std::max<int64_t>(1, EarliestNextRun() - clock_());
    std::unique_lock<std::mutex> lock(wake_mutex_);
    wake_.wait_for(lock, std::chrono::seconds(wait_seconds),
                   [this] { return stopping_ || poked_; });
    if (stopping_) return;
    poked_ = false;
  }
}

Status SyncRunner::RequestRun(const std::string& name) {
  if (jobs_.count(name) == 0) return NotFoundError("no sync job is named \"" + name + "\"");
  DUET_RETURN_IF_ERROR(state_.SetNextRun(name, clock_()));
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    poked_ = true;
  }
  wake_.notify_all();
  return Status::Ok();
}

Status SyncRunner::Reschedule(const std::string& name) {
  auto found = jobs_.find(name);
  if (found == jobs_.end()) return NotFoundError("no sync job is named \"" + name + "\"");
  DUET_ASSIGN_OR_RETURN(JobState state, state_.LoadJob(name));
  if (state.next_run_at == 0) return Status::Ok();
  return state_.SetNextRun(name, found->second.schedule.NextAfter(clock_()));
}

void SyncRunner::Start() {
  if (jobs_.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void SyncRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace duet::gateway
