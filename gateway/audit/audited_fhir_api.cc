#include "gateway/audit/audited_fhir_api.h"

#include "fhir/json.h"
#include "gateway/audit/audit_entities.h"
#include "gateway/fhir_api/fhir_route.h"

namespace duet::gateway {

using Kind = FhirRoute::Kind;

std::string FhirInteraction(const std::string& method, std::string_view path_under_base,
                            std::string_view body) {
  auto route = ParseFhirRoute(path_under_base);
  if (!route.ok()) return "";
  bool get = method == "GET" || method == "HEAD";
  switch (route->kind) {
    case Kind::kMetadata: return "";
    case Kind::kSystem: {
      if (get) return "search-system";
      auto bundle = fhir::ParseJson(body);
      if (bundle.ok() && bundle->StringOr("type") == "transaction") return "transaction";
      return "batch";
    }
    case Kind::kSystemHistory: return "history-system";
    case Kind::kTypeHistory: return "history-type";
    case Kind::kInstanceHistory: return "history-instance";
    case Kind::kTypeSearch: return "search-type";
    case Kind::kVersion: return "vread";
    case Kind::kType:
      if (get) return "search-type";
      if (method == "POST") return "create";
      if (method == "DELETE") return "delete";
      return method == "PATCH" ? "patch" : "update";
    case Kind::kInstance:
      if (get) return "read";
      if (method == "DELETE") return "delete";
      return method == "PATCH" ? "patch" : "update";
  }
  return "";
}

namespace {

AuditRules FhirAuditRules(AuditedFhirApi::Identify identify, std::string mount_path) {
  AuditRules rules;
  rules.classify = [mount_path = std::move(mount_path)](const HttpRequest& request) {
    std::string_view path = request.path;
    if (path.rfind(mount_path, 0) == 0) path.remove_prefix(mount_path.size());
    AuditedRequest what;
    what.interaction = FhirInteraction(request.method, path, request.body);
    if (auto route = ParseFhirRoute(path); route.ok()) {
      what.resource_type = route->type;
      what.resource_id = route->id;
    }
    what.record_in_transaction = what.interaction != "batch";
    return what;
  };
  rules.identify = std::move(identify);
  rules.add_returned = [](AuditRecord& record, const HttpResponse& response) {
    AddAuditEntitiesFromBody(record, response.body);
  };
  return rules;
}

}  // namespace

AuditedFhirApi::AuditedFhirApi(std::shared_ptr<HttpHandler> inner, AuditLog& log, Identify identify,
                               std::function<int64_t()> clock_ms, std::string mount_path)
    : AuditedApi(std::move(inner), log, FhirAuditRules(std::move(identify), std::move(mount_path)),
                 std::move(clock_ms)) {}

}  // namespace duet::gateway
