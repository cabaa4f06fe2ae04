#include "gateway/sync/sync_audit.h"

#include <chrono>

#include "gateway/audit/audited_call.h"
#include "gateway/http/http_status.h"

namespace duet::gateway {

SyncAudit::SyncAudit(AuditLog& log, std::string job, const EndpointConfig& endpoint)
    : log_(log),
      agent_{"sync", std::move(job), endpoint.organization_npi},
      partner_url_(endpoint.base_url) {}

AuditRecord SyncAudit::Draft(const std::string& interaction) const {
  AuditRecord record;
  record.id = NewAuditId();
  record.recorded_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  record.agent = agent_;
  record.remote_address = partner_url_;
  record.interaction = interaction;
  return record;
}

Status SyncAudit::Disclosed(AuditRecord& record, const StatusOr<fhir::FhirResponse>& answer) {
  return RecordOutcome(log_, record, answer.ok() ? answer->status : 0);
}

Status SyncAudit::Imported(AuditRecord& record, const std::function<Status()>& take_in) {
  Status taken;
  record.http_status = 200;  // what the partner answered, when the write carries the record
  if (RunInAuditScope(record, true, [&] { taken = take_in(); })) return taken;
  int http_status = taken.ok() ? 200 : HttpStatusFor(taken.code());
  DUET_RETURN_IF_ERROR(RecordOutcome(log_, record, http_status));
  return taken;
}

}  // namespace duet::gateway
