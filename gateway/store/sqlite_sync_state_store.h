// SqliteSyncStateStore: the SyncStateStore in SQLite tables (sync_jobs, sync_outbox, sync_runs,
// sync_markers, sync_endpoint_checks) of the gateway's database file, beside the resources, so that
// one file holds all durable state and one backup covers it. It has its own connection (WAL mode;
// writers of the resource store and of this store wait for each other up to the busy timeout).
//
// Thread-safe: calls are serialized on the one connection.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "gateway/sync/sync_state_store.h"

namespace duet::gateway {

class SqliteConnection;

class SqliteSyncStateStore : public SyncStateStore {
 public:
  // Opens the database at `path`, creating the sync tables when missing.
  static StatusOr<std::unique_ptr<SqliteSyncStateStore>> Open(const std::string& path);
  ~SqliteSyncStateStore() override;

  StatusOr<JobState> LoadJob(const std::string& job) override;
  Status SaveWatermark(const std::string& job, const std::string& watermark) override;
  Status RecordRun(const JobRun& run) override;
  StatusOr<std::vector<SyncDayCount>> RunHistory(int64_t since) override;
  Status SetNextRun(const std::string& job, int64_t next_run_at) override;
  StatusOr<int64_t> Enqueue(const std::string& job, const std::string& key,
                            const std::string& payload, int64_t now) override;
  Status EnqueueAll(const std::string& job, const std::vector<OutboxWork>& work,
                    int64_t now) override;
  StatusOr<std::vector<OutboxItem>> DueItems(const std::string& job, int64_t now,
                                             int limit) override;
  Status MarkDone(int64_t id) override;
  Status MarkDoneWithMarker(int64_t id, const std::string& job, const std::string& key,
                            const std::string& value) override;
  Status MarkFailed(int64_t id, const std::string& error, int64_t next_attempt_at,
                    bool dead) override;
  StatusOr<int64_t> CountItems(const std::string& job, const std::string& state) override;
  StatusOr<std::vector<OutboxItem>> Items(const std::string& job,
                                          const std::string& state) override;
  StatusOr<int64_t> RetryDead(const std::string& job, int64_t now) override;
  Status DiscardDead(int64_t id) override;
  Status RecordEndpointCheck(const EndpointHealth& health) override;
  StatusOr<std::vector<EndpointHealth>> EndpointChecks() override;
  Status ForgetEndpointCheck(const std::string& endpoint) override;
  StatusOr<std::optional<std::string>> Marker(const std::string& job,
                                              const std::string& key) override;
  Status SetMarker(const std::string& job, const std::string& key,
                   const std::string& value) override;

 private:
  explicit SqliteSyncStateStore(std::unique_ptr<SqliteConnection> db);
  Status EnsureJobRow(const std::string& job);
  // The statements of Enqueue, MarkDone and SetMarker, for callers that hold mutex_.
  Status UpsertItem(const std::string& job, const std::string& key, const std::string& payload,
                    int64_t now);
  Status SetDone(int64_t id);
  Status UpsertMarker(const std::string& job, const std::string& key, const std::string& value);
  // Runs `write` in one transaction (BEGIN IMMEDIATE ... COMMIT), rolled back when it fails.
  template <typename WriteFn>
  Status InTransaction(WriteFn&& write);

  std::mutex mutex_;
  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace duet::gateway
