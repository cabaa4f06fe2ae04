// BuildAuditEvent: the FHIR R4 AuditEvent that records one AuditRecord: type `rest`
// (audit-event-type), subtype the RESTful interaction, action C/R/U/D/E, recorded, outcome with a
// short description (the HTTP status only: no patient data), one agent (the requesting client,
// its organization's NPI and its network address), the gateway as source, and an entity per
// patient (role Patient) and per resource touched (role Domain Resource). Pure functions.
#pragma once

#include <string>

#include "fhir/json.h"
#include "gateway/audit/audit_record.h"

namespace duet::gateway {

fhir::Json BuildAuditEvent(const AuditRecord& record);

// The AuditEvent.action code for a restful-interaction code: C, R, U, D or E.
std::string AuditAction(const std::string& interaction);

}  // namespace duet::gateway
