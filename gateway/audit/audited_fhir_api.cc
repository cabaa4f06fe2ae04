#include "gateway/audit/audited_fhir_api.h"

#include <spdlog/spdlog.h>

#include "fhir/json.h"
#include "gateway/audit/audit_entities.h"
#include "gateway/audit/audit_event.h"
#include "gateway/audit/audit_scope.h"
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

AuditedFhirApi::AuditedFhirApi(std::shared_ptr<HttpHandler> inner, AuditLog& log, Identify identify,
                               std::function<int64_t()> clock_ms, std::string mount_path)
    : inner_(std::move(inner)),
      log_(log),
      identify_(std::move(identify)),
      clock_ms_(std::move(clock_ms)),
      mount_path_(std::move(mount_path)) {}

HttpResponse AuditedFhirApi::Failure(int status, const std::string& path,
                                     const std::string& message) const {
  return inner_->Failure(status, path, message);
}

HttpResponse AuditedFhirApi::Handle(const HttpRequest& request) {
  std::string_view path = request.path;
  if (path.rfind(mount_path_, 0) == 0) path.remove_prefix(mount_path_.size());
  std::string interaction = FhirInteraction(request.method, path, request.body);
  if (interaction.empty()) return inner_->Handle(request);  // metadata, or no route: no data

  AuditRecord record;
  record.id = NewAuditId();
  record.recorded_ms = clock_ms_();
  record.agent = identify_(request);
  record.remote_address = request.remote_address;
  record.interaction = interaction;
  if (auto route = ParseFhirRoute(path); route.ok()) {
    record.resource_type = route->type;
    record.resource_id = route->id;
  }
  HttpResponse response;
  bool recorded = false;
  {
    AuditScope scope(&record, interaction != "batch");
    response = inner_->Handle(request);
    recorded = scope.recorded();
  }
  if (recorded) return response;

  record.http_status = response.status;
  record.outcome = AuditOutcomeFor(response.status);
  if (!record.resource_id.empty()) {
    AddAuditEntity(record, record.resource_type, record.resource_id, nullptr);
  }
  const std::string action = AuditAction(interaction);
  const std::string* etag = response.headers.Find("ETag");
  if (record.outcome == 0 && (interaction == "read" || interaction == "vread") && etag != nullptr) {
    ReadEntitiesCache::Entities named = read_entities_.For(
        record.resource_type + "/" + record.resource_id + "/" + *etag + "?" + request.raw_query,
        response.body);
    for (const std::string& resource : named.resources) AddUnique(record.resources, resource);
    for (const std::string& patient : named.patients) AddUnique(record.patients, patient);
  } else if (record.outcome == 0 && (action == "R" || action == "E")) {
    AddAuditEntitiesFromBody(record, response.body);
  }
  Status status = log_.Record(record);
  if (status.ok()) return response;
  spdlog::error("audit: cannot record {} {} ({}): {}", record.interaction, record.resource_type,
                record.id, status.message());
  // A refusal disclosed nothing, and a write has happened either way: only a read is withheld.
  bool read =
      action == "R" || (action == "E" && interaction != "batch" && interaction != "transaction");
  if (record.outcome != 0 || !read) return response;
  return inner_->Failure(500, request.path,
                         "the access could not be recorded in the audit trail; nothing was "
                         "disclosed; try again");
}

}  // namespace duet::gateway
