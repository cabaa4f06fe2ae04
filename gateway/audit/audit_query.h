// The admin's audit query, shared by `GET /admin/v1/audit` and `duet audit`: parameters
// (patient, client, since, until, interaction, outcome, _count, _cursor) read into an AuditQuery
// with every problem named by its parameter, and a page rendered as a FHIR searchset Bundle or
// as one human-readable line per AuditEvent. Pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "fhir/json.h"
#include "gateway/audit/audit_log.h"

namespace duet::gateway {

struct AuditQueryProblem {
  std::string parameter;
  std::string message;
};

// Reads the parameters into `query` (defaults for those absent); every problem goes to
// `problems` (unknown parameters, bad dates, outcomes, interactions or counts).
AuditQuery ParseAuditQuery(const std::vector<std::pair<std::string, std::string>>& params,
                           std::vector<AuditQueryProblem>* problems);

// A searchset Bundle of the page's AuditEvents with `total`, a self link and, when there are more,
// a next link (`self_url` is the request's URL without query; the links carry the parameters).
fhir::Json AuditBundle(const AuditPage& page,
                       const std::vector<std::pair<std::string, std::string>>& params,
                       const std::string& self_url);

// "2026-11-27T16:01:02.003Z read CarePlan/cp-1 outcome=0 client=evim-ehr org=1620193841
// from=127.0.0.1 patients=Patient/p1" for one stored AuditEvent.
std::string AuditLine(const fhir::Json& event);

}  // namespace duet::gateway
