// RecordingAuditLog: an AuditLog in memory for tests: keeps every record it accepts (in order),
// or refuses them all while `refuse` is set. Query() is not needed by the code under test and
// answers an empty page. Thread-safe.
#pragma once

#include <atomic>
#include <mutex>
#include <vector>

#include "gateway/audit/audit_log.h"

namespace duet::test {

class RecordingAuditLog : public gateway::AuditLog {
 public:
  Status Record(const gateway::AuditRecord& record) override {
    if (refuse.load()) return UnavailableError("the audit trail cannot be written (test)");
    std::lock_guard<std::mutex> lock(mutex_);
    records_.push_back(record);
    return Status::Ok();
  }
  StatusOr<gateway::AuditPage> Query(const gateway::AuditQuery&) override {
    return gateway::AuditPage{};
  }

  // The records accepted since the last call.
  std::vector<gateway::AuditRecord> Take() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<gateway::AuditRecord> taken;
    taken.swap(records_);
    return taken;
  }

  std::atomic<bool> refuse{false};

 private:
  std::mutex mutex_;
  std::vector<gateway::AuditRecord> records_;
};

}  // namespace duet::test
