// AuditRetention: keeps the audit trail to its retention period (`audit.retention_days`, at
// least kMinimumAuditRetentionDays; docs/security.md). It deletes the records recorded before the
// period, at start and then every `every` (a day in production), on a thread of its own, oldest
// first and in batches of kBatch records, each batch its own transaction through the store's single
// writer, so request writes go on between batches.
//
// Holds a reference to the store, which must outlive it; destroying it stops the thread (after
// the batch in progress). PruneOnce() may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "fhir/status.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

class AuditRetention {
 public:
  static constexpr int64_t kBatch = 5000;

  // `now_ms`: the clock, milliseconds since the epoch. Starts the thread.
  AuditRetention(ResourceStore& store, int64_t retention_days, std::function<int64_t()> now_ms,
                 std::chrono::milliseconds every = std::chrono::hours(24));
  ~AuditRetention();
  AuditRetention(const AuditRetention&) = delete;
  AuditRetention& operator=(const AuditRetention&) = delete;

  // Deletes every record recorded before the retention period, now; how many.
  StatusOr<int64_t> PruneOnce();

 private:
  void Run();

  ResourceStore& store_;
  const int64_t retention_ms_;
  const std::function<int64_t()> now_ms_;
  const std::chrono::milliseconds every_;
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;
  std::thread thread_;  // last: started when everything above is ready
};

}  // namespace duet::gateway
