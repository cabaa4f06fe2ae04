#include "gateway/audit/audit_retention.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <utility>

namespace duet::gateway {
namespace {

constexpr int64_t kDayMs = int64_t{86400} * 1000;

}  // namespace

AuditRetention::AuditRetention(ResourceStore& store, int64_t retention_days,
                               std::function<int64_t()> now_ms, std::chrono::milliseconds every)
    : store_(store),
      retention_ms_(retention_days * kDayMs),
      now_ms_(std::move(now_ms)),
      every_(every),
      thread_([this] { Run(); }) {}

AuditRetention::~AuditRetention() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_all();
  thread_.join();
}

StatusOr<int64_t> AuditRetention::PruneOnce() {
  const int64_t before_ms = now_ms_() - retention_ms_;
  int64_t deleted = 0;
  while (true) {
    DUET_ASSIGN_OR_RETURN(std::unique_ptr<WriteTransaction> tx, store_.BeginWrite());
    DUET_ASSIGN_OR_RETURN(int64_t batch, tx->PruneAudit(before_ms, kBatch));
    DUET_RETURN_IF_ERROR(tx->Commit());
    deleted += batch;
    if (batch < kBatch) return deleted;
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return deleted;  // the rest at the next start
  }
}

void AuditRetention::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    auto deleted = PruneOnce();
    if (!deleted.ok()) {
      spdlog::error(
          "audit: cannot delete records past the retention period (trying again "
          "later): {}",
          deleted.status().message());
    } else if (*deleted > 0) {
      spdlog::info("audit: deleted {} records recorded more than {} days ago", *deleted,
                   retention_ms_ / kDayMs);
    }
    lock.lock();
    stop_.wait_for(lock, every_, [this] { return stopping_; });
  }
}

}  // namespace duet::gateway
