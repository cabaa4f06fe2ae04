// AuditedFhirApi: records every access to the FHIR API in the AuditLog (docs/security.md, "What
// is audited"). Wraps the whole FHIR API as mounted (in smart mode the FhirAuthorizer, so refused
// requests are recorded too): for each request but /metadata it notes who (`identify`), from
// which address, what interaction on which type and id, and then, by the outcome:
//   - a write that committed carried its record in its own transaction (AuditScope and
//     AuditingResourceStore, which the FHIR handler must write through);
//   - anything else (reads, searches, histories, refused or failed writes, batches) is recorded
//     after the inner handler answered and before the answer is returned, naming the resources
//     returned and their patients; if the log refuses the record, a successful answer is replaced
//     by a 500 (nothing is disclosed without a trace).
// One AuditEvent per request.
//
// Holds the inner handler (shared) and a reference to the log, which must outlive it. Handle()
// is called concurrently from the server's threads; its only state is the ReadEntitiesCache
// (thread-safe), so that a repeated read of one version is not parsed again for its record.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "gateway/audit/audit_log.h"
#include "gateway/audit/read_entities_cache.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

class AuditedFhirApi : public HttpHandler {
 public:
  using Identify = std::function<AuditAgent(const HttpRequest&)>;

  AuditedFhirApi(std::shared_ptr<HttpHandler> inner, AuditLog& log, Identify identify,
                 std::function<int64_t()> clock_ms, std::string mount_path = "/fhir");

  HttpResponse Handle(const HttpRequest& request) override;
  HttpResponse Failure(int status, const std::string& path,
                       const std::string& message) const override;

 private:
  std::shared_ptr<HttpHandler> inner_;
  AuditLog& log_;
  Identify identify_;
  std::function<int64_t()> clock_ms_;
  std::string mount_path_;
  ReadEntitiesCache read_entities_;
};

// The restful-interaction code of a request on the FHIR API ("" for /metadata and paths that
// name no FHIR route). `body` is read only for a POST to the base (batch or transaction).
std::string FhirInteraction(const std::string& method, std::string_view path_under_base,
                            std::string_view body);

}  // namespace duet::gateway
