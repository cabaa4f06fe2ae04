// SyncContext: what the gateway lends every sync job. Jobs read the store directly, but write
// what they take in from partners through `local_fhir` — the gateway's own FHIR API with its
// validation, transactions and workflow rules (referral intake, certification, Task state
// machine) — so that pulled data is held to the same rules as data a partner posts.
//
// Plain references; the owner (serve_command or the `duet sync run` command) keeps every one of
// them alive until the jobs are destroyed. The store, the state store and the handler may be
// called from any thread.
#pragma once

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
};

}  // namespace duet::gateway
