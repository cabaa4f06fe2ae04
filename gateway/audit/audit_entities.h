// What an audit record names: the resources a request returned or wrote ("Type/id") and the
// patients they belong to (a Patient itself, or the patients a resource refers to). Ids only.
// Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "fhir/json.h"
#include "gateway/audit/audit_record.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

// Adds `type`/`id` to record.resources and its patients to record.patients; `resource` (may be
// null, e.g. for a deletion) is read for its references to Patient.
void AddAuditEntity(AuditRecord& record, const std::string& type, const std::string& id,
                    const fhir::Json* resource);

// AddAuditEntity for a resource by its own type and id (none without an id; an OperationOutcome
// is not an entity).
void AddAuditResource(AuditRecord& record, const fhir::Json& resource);

// AddAuditEntity for a stored version (its JSON read for its patients; a deletion has none).
void AddStoredAuditEntity(AuditRecord& record, const StoredResource& stored);

// Adds every resource of a response body: a resource, or each entry of a Bundle (an
// OperationOutcome is not an entity). Bodies that are not JSON add nothing.
void AddAuditEntitiesFromBody(AuditRecord& record, std::string_view body);

}  // namespace duet::gateway
