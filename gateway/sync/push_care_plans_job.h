// PushCarePlansJob (`kind: push_care_plans`): sends new and changed plans of care shared with a
// partner (partner_sharing.h) to the partner's FHIR server, each with its Goals, Conditions,
// CareTeam, Patient and clinicians, as one transaction Bundle of conditional upserts
// (outbound_bundle.h).
//
// A run (1) finds plans of care changed since its watermark (the store's own lastUpdated, minus
// a small overlap) and puts each shared plan whose current version has not been sent yet in the
// outbox (a page of plans per transaction), then moves the watermark; (2) sends every outbox item
// that is due, a page at a time. A sent item records the version it sent (a marker, in the
// transaction that marks the item done), so a plan is sent once per version. A failed item is
// retried with exponential backoff (1 min doubling to 1 h, longer when the partner's Retry-After
// asks); after 8 attempts, or at once for an answer that retrying cannot change (400, 403, 404,
// 409, 412, 422), it becomes a dead letter for `duet sync retry`. When the partner cannot be
// reached the run stops early. A crash at any point repeats at most one idempotent send.
//
// Each transaction sent is recorded in the audit trail (SyncAudit: `transaction`, the plans'
// resources and patients, the partner's answer).
//
// Holds references to the store, the state store, the audit log and the client, which must
// outlive it.
#pragma once

#include <memory>
#include <string>

#include "fhir/client/fhir_client.h"
#include "gateway/config/sync_config.h"
#include "gateway/store/resource_store.h"
#include "gateway/sync/endpoint_auth.h"
#include "gateway/sync/outbound_bundle.h"
#include "gateway/sync/sync_audit.h"
#include "gateway/sync/sync_context.h"
#include "gateway/sync/sync_job.h"
#include "gateway/sync/sync_state_store.h"
#include "mappings/mapping_context.h"

namespace duet::gateway {

class PushCarePlansJob : public SyncJob {
 public:
  PushCarePlansJob(std::string name, EndpointConfig endpoint, const SyncContext& context,
                   fhir::FhirClient& client);

  StatusOr<JobRunReport> RunOnce(const std::function<bool()>& should_stop) override;

 private:
  StatusOr<int64_t> EnqueueChangedPlans();
  // Sends one item and records the outcome. Not OK when the partner is unreachable (or the
  // state store fails): the run should stop.
  Status Send(const OutboxItem& item, JobRunReport& report);
  // Sends one chunk as a transaction and records the disclosure.
  StatusOr<fhir::FhirResponse> SendChunk(const fhir::Json& bundle, const OutboundOrigins& origins);

  std::string name_;
  EndpointConfig endpoint_;
  ResourceStore& store_;
  SyncStateStore& state_;
  fhir::FhirClient& client_;
  mappings::MappingContext context_;
  Clock clock_;
  SyncAudit audit_;
};

}  // namespace duet::gateway
