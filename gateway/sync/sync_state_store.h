// SyncStateStore: what the sync jobs must remember across runs, restarts and crashes
// (docs/sync.md): per job its watermark, last run and next run; an outbox of work items with
// their attempts, backoff and dead letters; markers (per job and key, e.g. the last CarePlan
// version pushed to a partner); and per partner endpoint its last connection check. Every call is
// its own durable transaction, so a job that commits its own writes first and then records progress
// here never skips work after a crash: at worst it repeats an idempotent step.
//
// The SQLite implementation is gateway/store/sqlite_sync_state_store.h. Implementations are
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fhir/status.h"

namespace duet::gateway {

struct JobRun {
  std::string job;
  int64_t started_at = 0;  // seconds since the epoch
  int64_t finished_at = 0;
  std::string outcome;   // "ok" or "failed"
  std::string message;   // what happened, for `duet sync status`; never a secret
  int64_t sent = 0;      // resources or items sent to the partner
  int64_t received = 0;  // resources taken in from the partner
  int64_t failed = 0;    // work items that failed this run
};

// One job's runs on one UTC day, summed (the sync history the admin console charts).
struct SyncDayCount {
  std::string day;  // "2026-11-27" (UTC, by the run's start)
  std::string job;
  int64_t runs = 0;
  int64_t failed_runs = 0;  // runs whose outcome was not "ok"
  int64_t sent = 0;
  int64_t received = 0;
  int64_t failed = 0;
};

struct JobState {
  std::string job;
  std::string watermark;  // "" before the first successful pull
  std::optional<JobRun> last_run;
  int64_t next_run_at = 0;  // 0 = not scheduled yet
  int64_t run_count = 0;    // runs ever recorded (the history itself keeps kRunHistoryDays)
};

struct OutboxItem {
  int64_t id = 0;
  std::string job;
  std::string key;      // what the item is about, e.g. "CarePlan/8c1f"; unique among open items
  std::string payload;  // job-specific
  int attempts = 0;
  int64_t next_attempt_at = 0;
  std::string last_error;
  std::string state;  // "pending" or "dead" (a finished item is removed)
  int64_t created_at = 0;
};

// The last connection check of a partner endpoint (the admin API's test connection), kept so
// that the console shows each partner's health after a reload or a restart.
struct EndpointHealth {
  std::string endpoint;
  int64_t checked_at = 0;  // seconds since the epoch
  bool ok = false;         // no check failed
  std::string message;     // the first failing check, else the first warning, else "" ; no secret
  std::string certificate_subject;     // the partner's server certificate; "" when not seen
  int64_t certificate_expires_at = 0;  // its notAfter, seconds since the epoch; 0 = unknown
};

// One piece of work for EnqueueAll: what it is about and its job-specific payload.
struct OutboxWork {
  std::string key;
  std::string payload;
};

// How long the run history (RunHistory) keeps a run: a little over the 366 days that
// GET /admin/v1/sync/history can show.
inline constexpr int64_t kRunHistoryDays = 400;

class SyncStateStore {
 public:
  virtual ~SyncStateStore() = default;

  // The job's state; an empty state for a job never run.
  virtual StatusOr<JobState> LoadJob(const std::string& job) = 0;
  virtual Status SaveWatermark(const std::string& job, const std::string& watermark) = 0;
  // Keeps `run` as the job's last run, counts it and appends it to the run history, from which
  // the job's runs started more than kRunHistoryDays before it are dropped.
  virtual Status RecordRun(const JobRun& run) = 0;
  // The runs started at or after `since` (seconds since the epoch), per UTC day and job, ordered
  // by day then job.
  virtual StatusOr<std::vector<SyncDayCount>> RunHistory(int64_t since) = 0;
  virtual Status SetNextRun(const std::string& job, int64_t next_run_at) = 0;

  // Adds a pending item due at `now`. When an open (pending or dead) item with the same job and
  // key exists: the same payload again changes nothing (its backoff or dead letter stands); a
  // new payload replaces the old one and makes the item pending and due now. Returns its id.
  virtual StatusOr<int64_t> Enqueue(const std::string& job, const std::string& key,
                                    const std::string& payload, int64_t now) = 0;
  // Enqueue for each piece of work in order, all in one transaction: all of it or none.
  virtual Status EnqueueAll(const std::string& job, const std::vector<OutboxWork>& work,
                            int64_t now) = 0;
  // Pending items due at `now`, oldest first.
  virtual StatusOr<std::vector<OutboxItem>> DueItems(const std::string& job, int64_t now,
                                                     int limit) = 0;
  // The item is finished: it leaves the outbox.
  virtual Status MarkDone(int64_t id) = 0;
  // MarkDone and SetMarker(job, key, value) in one transaction: both or neither.
  virtual Status MarkDoneWithMarker(int64_t id, const std::string& job, const std::string& key,
                                    const std::string& value) = 0;
  // One more failed attempt: due again at `next_attempt_at`, or dead when `dead`.
  virtual Status MarkFailed(int64_t id, const std::string& error, int64_t next_attempt_at,
                            bool dead) = 0;
  // Items by state ("pending" or "dead") of one job ("" for all jobs).
  virtual StatusOr<std::vector<OutboxItem>> Items(const std::string& job,
                                                  const std::string& state) = 0;
  // How many items of the job ("" for all jobs) are in `state`; for the gateway's metrics.
  virtual StatusOr<int64_t> CountItems(const std::string& job, const std::string& state) {
    DUET_ASSIGN_OR_RETURN(std::vector<OutboxItem> items, Items(job, state));
    return static_cast<int64_t>(items.size());
  }
  // Makes dead items of the job ("" for every job) pending again with no attempts; the count.
  virtual StatusOr<int64_t> RetryDead(const std::string& job, int64_t now) = 0;
  // Drops one dead item for good (an admin decided it should not be sent); kNotFound when no
  // dead item has that id.
  virtual Status DiscardDead(int64_t id) = 0;

  // Keeps `health` as the endpoint's last check, replacing the one before.
  virtual Status RecordEndpointCheck(const EndpointHealth& health) = 0;
  // The last check of every endpoint checked (and not forgotten since), ordered by name.
  virtual StatusOr<std::vector<EndpointHealth>> EndpointChecks() = 0;
  // Drops the endpoint's last check (the endpoint was removed); OK when there was none.
  virtual Status ForgetEndpointCheck(const std::string& endpoint) = 0;

  virtual StatusOr<std::optional<std::string>> Marker(const std::string& job,
                                                      const std::string& key) = 0;
  virtual Status SetMarker(const std::string& job, const std::string& key,
                           const std::string& value) = 0;
};

}  // namespace duet::gateway
