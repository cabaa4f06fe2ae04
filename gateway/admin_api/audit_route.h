// GET /admin/v1/audit: the audit trail for admins, a FHIR searchset Bundle of AuditEvents, newest
// first and paged (parameters in gateway/audit/audit_query.h; a bad one answers 400 naming it).
// The returned route holds a reference to the log, which must outlive it; it may be called
// concurrently.
#pragma once

#include "gateway/admin_api/admin_api_handler.h"
#include "gateway/audit/audit_log.h"

namespace duet::gateway {

AdminApiHandler::Route AuditRoute(AuditLog& log);

}  // namespace duet::gateway
