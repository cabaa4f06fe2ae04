// SyncRunner: runs the configured sync jobs on their schedules (an interval, or a cron
// expression in UTC), one at a time, on its own thread inside `duet serve`, and on demand for
// `duet sync run`. Each run is recorded in the SyncStateStore (start, end, outcome, counts,
// message) together with the next time the job is due, so `duet sync status` can show them and
// a restarted gateway picks the schedule up where it was: a job whose next run passed while the
// gateway was down runs at start.
//
// Owns its jobs; holds a reference to the state store, which must outlive it. Add jobs before
// Start(); Start/Stop/RunNow may be called from any thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gateway/config/sync_config.h"
#include "gateway/sync/cron_schedule.h"
#include "gateway/sync/sync_job.h"
#include "gateway/sync/sync_state_store.h"

namespace duet::gateway {

// When a job runs: every N seconds after the previous run's start, or at cron times.
class JobSchedule {
 public:
  static StatusOr<JobSchedule> FromConfig(const JobConfig& job);
  // The next run time after a run that started at `last_start` (seconds since the epoch).
  int64_t NextAfter(int64_t last_start) const;
  std::string Describe() const;  // "every 900s" or "cron */10 7-19 * * mon-fri"

 private:
  long long every_seconds_ = 0;
  std::optional<CronSchedule> cron_;
};

class SyncRunner {
 public:
  using Clock = std::function<int64_t()>;  // seconds since the epoch
  SyncRunner(SyncStateStore& state, Clock clock);
  ~SyncRunner();

  void AddJob(std::string name, JobSchedule schedule, std::unique_ptr<SyncJob> job);
  // Called with every run's record after it is stored (for metrics); set before Start().
  void SetRunObserver(std::function<void(const JobRun&)> observer);

  // Runs the job now (whatever its schedule) and records the run; the run's record.
  StatusOr<JobRun> RunNow(const std::string& name);
  // Runs every job whose next run is due at `now`; the runs it recorded.
  std::vector<JobRun> RunDue();
  // Makes the job due now and wakes the scheduling thread, which runs it soon (after a job that
  // is running); kNotFound for an unknown job.
  Status RequestRun(const std::string& name);
  // For jobs whose schedule is new: the next run is due one period from `now` (a new job without
  // a recorded run stays due at once).
  Status Reschedule(const std::string& name);

  void Start();  // the scheduling thread
  void Stop();   // asks a running job to stop, waits for the thread

  std::vector<std::string> JobNames() const;

 private:
  struct Entry {
    JobSchedule schedule;
    std::unique_ptr<SyncJob> job;
  };
  void Loop();
  int64_t EarliestNextRun();

  SyncStateStore& state_;
  Clock clock_;
  std::function<void(const JobRun&)> run_observer_;
  std::map<std::string, Entry> jobs_;
  std::mutex run_mutex_;  // one job at a time
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool poked_ = false;  // RequestRun since the loop last woke
  std::thread thread_;
};

}  // namespace duet::gateway
