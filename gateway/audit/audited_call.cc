#include "gateway/audit/audited_call.h"

#include <spdlog/spdlog.h>

#include "gateway/audit/audit_scope.h"

namespace duet::gateway {

bool RunInAuditScope(AuditRecord& draft, bool record_in_transaction,
                     const std::function<void()>& access) {
  AuditScope scope(&draft, record_in_transaction);
  access();
  return scope.recorded();
}

Status RecordOutcome(AuditLog& log, AuditRecord& record, int http_status) {
  record.http_status = http_status;
  record.outcome = AuditOutcomeFor(http_status);
  Status status = log.Record(record);
  if (!status.ok()) {
    spdlog::error("audit: cannot record {} by {} ({}): {}", record.interaction,
                  AuditClientName(record.agent), record.id, status.message());
  }
  return status;
}

}  // namespace duet::gateway
