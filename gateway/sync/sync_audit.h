// SyncAudit: the audit trail of one sync job's exchanges with its partner (docs/security.md,
// "What is audited"). Each disclosure (a transaction Bundle or resource sent) and each import
// (what a pull takes in) is one record: agent the job (kind "sync", its name, the partner
// endpoint's organization NPI), the partner endpoint's URL as the address, the interaction,
// the local resources and patients involved, and the outcome by the partner's answer (or by the
// import's local write).
//
// Holds a reference to the log (SyncContext::audit), which must outlive it. Used by its job's
// thread only.
#pragma once

#include <functional>
#include <string>

#include "fhir/client/fhir_client.h"
#include "fhir/status.h"
#include "gateway/audit/audit_log.h"
#include "gateway/config/sync_config.h"

namespace duet::gateway {

class SyncAudit {
 public:
  SyncAudit(AuditLog& log, std::string job, const EndpointConfig& endpoint);

  // A new record of `interaction` by this job with its partner, recorded now.
  AuditRecord Draft(const std::string& interaction) const;

  // Records what was sent, once the partner answered (or could not be reached). Not OK when the
  // log refuses the record: the caller treats the item as not sent, so that it is sent again
  // (and recorded) once the trail can be written.
  Status Disclosed(AuditRecord& record, const StatusOr<fhir::FhirResponse>& answer);

  // Runs an import: `take_in` fetches from the partner and writes what it got through the
  // gateway's own FHIR API. A write committed meanwhile carries the record (with what it wrote);
  // otherwise the record is written after, with the failure's outcome. Returns take_in's status,
  // or the log's refusal.
  Status Imported(AuditRecord& record, const std::function<Status()>& take_in);

 private:
  AuditLog& log_;
  AuditAgent agent_;
  std::string partner_url_;
};

}  // namespace duet::gateway
