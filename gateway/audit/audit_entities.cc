#include "gateway/audit/audit_entities.h"

#include <optional>

#include "gateway/workflow/workflow_support.h"

namespace duet::gateway {
void AddAuditEntity(AuditRecord& record, const std::string& type, const std::string& id,
                    const fhir::Json* resource) {
  AddUnique(record.resources, type + "/" + id);
  if (type == "Patient") {
    AddUnique(record.patients, id);
    return;
  }
  if (resource == nullptr) return;
  std::vector<LiteralReference> references;
  CollectLiteralReferences(*resource, &references);
  for (const LiteralReference& reference : references) {
    if (reference.type == "Patient") AddUnique(record.patients, reference.id);
  }
}

void AddAuditResource(AuditRecord& record, const fhir::Json& resource) {
  std::string type(resource.StringOr("resourceType"));
  std::string id(resource.StringOr("id"));
  if (type.empty() || type == "OperationOutcome" || id.empty()) return;
  AddAuditEntity(record, type, id, &resource);
}

void AddStoredAuditEntity(AuditRecord& record, const StoredResource& stored) {
  std::optional<fhir::Json> json;
  if (!stored.json.empty()) {
    if (auto parsed = fhir::ParseJson(stored.json); parsed.ok()) json = std::move(*parsed);
  }
  AddAuditEntity(record, stored.type, stored.id, json ? &*json : nullptr);
}

void AddAuditEntitiesFromBody(AuditRecord& record, std::string_view body) {
  if (body.empty()) return;
  auto parsed = fhir::ParseJson(body);
  if (!parsed.ok() || !parsed->is_object()) return;
  if (parsed->StringOr("resourceType") != "Bundle") {
    AddAuditResource(record, *parsed);
    return;
  }
  const fhir::Json* entries = parsed->Find("entry");
  if (entries == nullptr || !entries->is_array()) return;
  for (const fhir::Json& entry : entries->items()) {
    if (const fhir::Json* resource = entry.Find("resource")) AddAuditResource(record, *resource);
  }
}

}  // namespace duet::gateway
