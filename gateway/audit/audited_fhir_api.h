// AuditedFhirApi: the AuditedApi of the FHIR API (docs/security.md, "What is audited"). Wraps
// the whole FHIR API as mounted (in smart mode the FhirAuthorizer, so refused requests are
// recorded too): every request but /metadata is classified by its FHIR route (FhirInteraction),
// on the type and id the route names; a successful read, search or history names the resources
// of its answer and their patients; a batch is recorded after its entries ran.
//
// As AuditedApi: holds the inner handler (shared) and a reference to the log, which must outlive
// it; Handle() is called concurrently from the server's threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/audit/audited_api.h"

namespace duet::gateway {

class AuditedFhirApi : public AuditedApi {
 public:
  using Identify = std::function<AuditAgent(const HttpRequest&)>;

  AuditedFhirApi(std::shared_ptr<HttpHandler> inner, AuditLog& log, Identify identify,
                 std::function<int64_t()> clock_ms, std::string mount_path = "/fhir");
};

// The restful-interaction code of a request on the FHIR API ("" for /metadata and paths that
// name no FHIR route). `body` is read only for a POST to the base (batch or transaction).
std::string FhirInteraction(const std::string& method, std::string_view path_under_base,
                            std::string_view body);

}  // namespace duet::gateway
