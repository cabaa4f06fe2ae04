// AuditedApi: records every access to patient data through an HTTP API in the AuditLog
// (docs/security.md, "What is audited"), one AuditEvent per request. What differs between the
// APIs it wraps (the FHIR API, the practice API) is given as AuditRules: how a request is
// classified before it runs, who made it, and what a successful answer disclosed. Then, by the
// outcome:
//   - a write that committed carried its record in its own transaction (AuditScope and
//     AuditingResourceStore, which the inner handler must write through);
//   - anything else (reads, searches, refused or failed writes, batches) is recorded after the
//     inner handler answered and before the answer is returned; if the log refuses the record,
//     a successful read is replaced by a 500 (nothing is disclosed without a trace).
//
// Holds the inner handler (shared) and a reference to the log, which must outlive it. Handle()
// is called concurrently from the server's threads; no mutable state of its own.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "gateway/audit/audit_log.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

// What a request is, as far as the audit trail is concerned, before it runs.
struct AuditedRequest {
  std::string interaction;    // a restful-interaction code; "" when the request touches no data
  std::string resource_type;  // the FHIR type and id the request names, if any
  std::string resource_id;
  // False when the request's writes commit in several transactions (a batch): then none of
  // them carries the record, which is written after the answer.
  bool record_in_transaction = true;
  int success_status = 0;  // what the API answers a committed write with; 0: as the FHIR API
};

struct AuditRules {
  std::function<AuditedRequest(const HttpRequest&)> classify;
  std::function<AuditAgent(const HttpRequest&)> identify;
  // Adds what a successful read, search or batch answer to the request returned (null: the
  // handler noted it in the AuditScope's draft itself).
  std::function<void(AuditRecord&, const HttpRequest&, const HttpResponse&)> add_returned;
};

class AuditedApi : public HttpHandler {
 public:
  AuditedApi(std::shared_ptr<HttpHandler> inner, AuditLog& log, AuditRules rules,
             std::function<int64_t()> clock_ms);

  HttpResponse Handle(const HttpRequest& request) override;
  HttpResponse Failure(int status, const std::string& path,
                       const std::string& message) const override;

 private:
  std::shared_ptr<HttpHandler> inner_;
  AuditLog& log_;
  AuditRules rules_;
  std::function<int64_t()> clock_ms_;
};

}  // namespace duet::gateway
