// SyncContext: what the gateway lends every sync job. Jobs read the store directly, but write
// what they take in from partners through `local_fhir` — the gateway's own FHIR API with its
// validation, transactions and workflow rules (referral intake, certification, Task state
// machine) — so that pulled data is held to the same rules as data a partner posts. Each
// exchange with a partner is recorded in `audit` (SyncAudit): the audit trail of the gateway,
// which partners never read.
//
// Plain references; the owner (serve_command or the `duet sync run` command) keeps every one of
// them alive until the jobs are destroyed. The store, the state store, the handler and the log
// may be called from any thread.
#pragma once

#include "gateway/audit/audit_log.h"
#include "gateway/http/http_types.h"
#include "gateway/store/resource_store.h"
#include "gateway/sync/endpoint_auth.h"
#include "gateway/sync/sync_state_store.h"
#include "mappings/mapping_context.h"

namespace duet::gateway {

struct SyncContext {
  ResourceStore& store;
  SyncStateStore& state;
  HttpHandler& local_fhir;  // mounted at "/fhir"
  mappings::MappingContext mapping;
  Clock clock;
  AuditLog& audit;
};

}  // namespace duet::gateway
