// AuditRecord: one access to patient data (an API request, a sync job's exchange) as the audit
// trail keeps it (who, from where, what interaction on which resources and patients, with what
// outcome, when). The AuditEvent served to admins is built from it (audit_event.h); the store keeps
// both the searchable fields and that AuditEvent (store/sqlite_audit_log.h). Holds ids and codes
// only, never resource content or search values. Plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace duet::gateway {

// Who made the request.
struct AuditAgent {
  // "client" (a SMART client: client_id and organization_npi set), "development" (no
  // authorization configured), "practice" (the practice's EMR on the practice API),
  // "unauthenticated" (no valid token: a refused request), "sync" (a sync job of the gateway:
  // client_id is the job's name, organization_npi the partner endpoint's).
  std::string kind;
  std::string client_id;
  std::string organization_npi;
};

// The name an agent is listed and searched by (`client=`): its client id, or its kind when it
// has none.
std::string AuditClientName(const AuditAgent& agent);

struct AuditRecord {
  std::string id;           // the AuditEvent's id: 32 hex digits
  int64_t recorded_ms = 0;  // milliseconds since the Unix epoch
  AuditAgent agent;
  // The caller's IP address as the server saw it; for a sync job, the partner endpoint's URL.
  std::string remote_address;
  // A code of http://hl7.org/fhir/restful-interaction: read, vread, update, delete, create,
  // search-type, search-system, history-instance, history-type, history-system, batch,
  // transaction.
  std::string interaction;
  std::string resource_type;  // the route's type; "" for system-wide interactions
  std::string resource_id;    // the route's id (or the created id); "" when none
  int http_status = 0;        // 0 when no answer came (a partner that could not be reached)
  // 0 success, 4 minor failure (refused or invalid request), 8 serious failure (server error).
  int outcome = 0;
  std::vector<std::string> patients;   // ids of the patients whose data were touched
  std::vector<std::string> resources;  // "Type/id" of the resources returned or written
};

// A new random AuditEvent id (32 hex digits).
std::string NewAuditId();

// 0 for 1xx-3xx, 4 for 4xx, 8 for 5xx and anything else.
int AuditOutcomeFor(int http_status);

// Adds `value` to `list` unless it is there already (keeps first-seen order).
void AddUnique(std::vector<std::string>& list, const std::string& value);

}  // namespace duet::gateway
