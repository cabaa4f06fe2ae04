// AuditLog: the audit trail of accesses to patient data (docs/security.md, "What is audited").
// Record() accepts one record to be kept, or refuses it (then the caller withholds the answer: no
// disclosure without a trace); an implementation may commit accepted records shortly after it
// returns (SqliteAuditLog queues them), and Query() sees every record accepted before it.
// Writes that change data record theirs inside their own write transaction instead
// (WriteTransaction::AppendAudit), so a rolled-back write leaves no record of success. Query()
// answers admins (`/admin/v1/audit`, `duet audit`), newest first; partners never reach it.
//
// The SQLite implementation is store/sqlite_audit_log.h. Implementations are thread-safe: any
// thread may call any method.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fhir/status.h"
#include "gateway/audit/audit_record.h"

namespace duet::gateway {

struct AuditQuery {
  std::string patient;              // a patient id: events with that patient among their entities
  std::string client;               // a client id, or "development", "practice", "unauthenticated"
  std::optional<int64_t> since_ms;  // recorded at or after (ms since the epoch)
  std::optional<int64_t> until_ms;  // recorded before
  std::string interaction;          // a restful-interaction code
  std::optional<int> outcome;
  int count = 50;      // events per page
  int64_t cursor = 0;  // from AuditPage::next_cursor; 0 for the newest page
};

struct AuditPage {
  std::vector<std::string> events;  // AuditEvent JSON, newest first
  int64_t total = 0;                // matches across all pages
  int64_t next_cursor = 0;          // 0 when this is the last page
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;
  virtual Status Record(const AuditRecord& record) = 0;
  virtual StatusOr<AuditPage> Query(const AuditQuery& query) = 0;
};

}  // namespace duet::gateway
