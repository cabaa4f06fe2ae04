#include "gateway/admin_api/audit_route.h"

#include "gateway/audit/audit_query.h"
#include "gateway/http/http_status.h"
#include "gateway/http/json_response.h"

namespace duet::gateway {

AdminApiHandler::Route AuditRoute(AuditLog& log) {
  return [&log](const HttpRequest& request) {
    std::vector<AuditQueryProblem> problems;
    AuditQuery query = ParseAuditQuery(request.query, &problems);
    if (!problems.empty()) {
      std::vector<JsonProblem> listed;
      for (const AuditQueryProblem& problem : problems) {
        listed.push_back({"", problem.message, problem.parameter});
      }
      return JsonErrorResponse(400, "the audit query has invalid parameters", listed);
    }
    auto page = log.Query(query);
    if (!page.ok())
      return JsonErrorResponse(HttpStatusFor(page.status().code()), page.status().message());
    return JsonResponse(200, AuditBundle(*page, request.query, request.base_url + request.path),
                        "application/fhir+json");
  };
}

}  // namespace duet::gateway
