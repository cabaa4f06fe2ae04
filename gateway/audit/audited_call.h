// The two halves of auditing one access, shared by the audited HTTP APIs (AuditedApi) and the
// sync jobs: RunInAuditScope runs the access with its draft record open (AuditScope), so a write
// transaction committed meanwhile carries the record (AuditingResourceStore); RecordOutcome
// records the draft afterwards, when no transaction did, with the access's outcome.
// Free functions; call them on the thread that makes the access.
#pragma once

#include <functional>

#include "fhir/status.h"
#include "gateway/audit/audit_log.h"
#include "gateway/audit/audit_record.h"

namespace duet::gateway {

// Runs `access` inside an AuditScope for `draft`. True when a committed write transaction
// carried the record (then `draft` is that record and nothing more is to be recorded).
bool RunInAuditScope(AuditRecord& draft, bool record_in_transaction,
                     const std::function<void()>& access);

// Sets the draft's HTTP status (0: no answer came) and outcome, and hands it to `log`; a
// refusal is logged and returned.
Status RecordOutcome(AuditLog& log, AuditRecord& record, int http_status);

}  // namespace duet::gateway
