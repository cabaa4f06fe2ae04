// The audit rules of the practice API (docs/security.md, "What is audited"), for an AuditedApi
// around PracticeApiHandler: `POST /records` is an `update` (a `create` when RecordUpload finds
// the single record new, a `batch` for a batch), recorded inside the upload's one FHIR
// transaction; `GET /<type>/<id>` is a `read`; the intake queue and the NPS summary are
// `search-type`. Requests that name no practice resource or use another method touch no data
// and are not recorded. The answers are not FHIR: what a request read is noted as it reads
// (ReadNotingResourceStore under the handler), and what it wrote by the write transaction.
// Pure functions.
#pragma once

#include <functional>

#include "gateway/audit/audited_api.h"

namespace duet::gateway {

// `identify` names the caller: the practice, or unauthenticated without its token.
AuditRules PracticeAuditRules(std::function<AuditAgent(const HttpRequest&)> identify);

// What a practice API request is for the audit trail (AuditRules::classify).
AuditedRequest ClassifyPracticeRequest(const HttpRequest& request);

}  // namespace duet::gateway
