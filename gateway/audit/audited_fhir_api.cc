#include "gateway/audit/audited_fhir_api.h"

#include "fhir/json.h"
#include "gateway/audit/audit_entities.h"
#include "gateway/audit/read_entities_cache.h"
#include "gateway/fhir_api/fhir_route.h"
#include "gateway/workflow/workflow_support.h"

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
  // A read of one version names the same entities every time: they are parsed from the answer
  // once (ReadEntitiesCache, shared by the request threads through the rules).
  auto read_entities = std::make_shared<ReadEntitiesCache>();
  rules.add_returned = [read_entities](AuditRecord& record, const HttpRequest& request,
                                       const HttpResponse& response) {
    const std::string* etag = response.headers.Find("ETag");
    bool one_version = record.interaction == "read" || record.interaction == "vread";
    if (!one_version || etag == nullptr) {
      AddAuditEntitiesFromBody(record, response.body);
      return;
    }
    ReadEntitiesCache::Entities named = read_entities->For(
        record.resource_type + "/" + record.resource_id + "/" + *etag + "?" + request.raw_query,
        response.body);
    for (const std::string& resource : named.resources) AddUnique(record.resources, resource);
    for (const std::string& patient : named.patients) AddUnique(record.patients, patient);
  };
  return rules;
}

}  // namespace

AuditedFhirApi::AuditedFhirApi(std::shared_ptr<HttpHandler> inner, AuditLog& log, Identify identify,
                               std::function<int64_t()> clock_ms, std::string mount_path)
    : AuditedApi(std::move(inner), log, FhirAuditRules(std::move(identify), std::move(mount_path)),
                 std::move(clock_ms)) {}

}  // namespace duet::gateway
