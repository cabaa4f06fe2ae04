// PushReferralStatusJob (`kind: push_referral_status`): closes the referral loop (docs/sync.md).
// When the practice changes the status, businessStatus, statusReason or output of the Task of a
// referral that came from the partner (taken in by pull_referrals, or posted by the partner:
// its ServiceRequest is inbound and its requester works at the partner), the change goes back
// to the partner's own Task, the one the referral came with.
//
// A run (1) puts each such Task whose current version has not been handled in the outbox (once
// per local Task version), then moves its watermark (the store's own lastUpdated, minus 5 s);
// (2) sends the due items: it merges the practice-owned fields onto the partner's Task as last
// seen (referral_status_merge.h) and PUTs it with If-Match on the partner's ETag. On 412 (or
// 409) it re-reads the partner's Task and merges again onto the new version, a few times at
// most. Nothing is sent when the partner's Task already says what the practice says. A status
// the partner's Task cannot move to from where it is now, or a partner Task that cannot be
// found, is a dead letter with a message saying so; other failures back off like
// push_care_plans (outbox_policy.h).
//
// Each PUT is recorded in the audit trail (SyncAudit: `update`, the local Task and its patient,
// the partner's answer).
//
// Holds references to what `context` names and to the client, which must outlive it; run by one
// thread at a time (SyncJob).
#pragma once

#include <string>

#include "fhir/client/fhir_client.h"
#include "gateway/config/sync_config.h"
#include "gateway/sync/partner_sharing.h"
#include "gateway/sync/partner_task_link.h"
#include "gateway/sync/sync_audit.h"
#include "gateway/sync/sync_context.h"
#include "gateway/sync/sync_job.h"

namespace duet::gateway {

class PushReferralStatusJob : public SyncJob {
 public:
  PushReferralStatusJob(std::string name, EndpointConfig endpoint, const SyncContext& context,
                        fhir::FhirClient& client);

  StatusOr<JobRunReport> RunOnce(const std::function<bool()>& should_stop) override;

 private:
  StatusOr<int64_t> EnqueueChangedTasks();
  // Whether the local referral Task came from this partner.
  StatusOr<bool> FromPartner(const StoredResource& stored, const PartnerSharing& sharing);
  // Sends one item and records the outcome; not OK when the run should stop.
  Status Send(const OutboxItem& item, JobRunReport& report);
  // Brings the partner's Task in line with the local one; whether a PUT was made.
  StatusOr<bool> Deliver(const StoredResource& stored, int64_t& retry_after);
  // The link to the partner's Task: remembered, or found at the partner by the local Task's
  // identifiers (a referral the partner posted).
  StatusOr<PartnerTaskLink> Link(const StoredResource& stored, const fhir::Json& local);
  // The partner's Task `id` as it is now, into `link`.
  Status Reread(PartnerTaskLink& link);
  // PUTs the merged Task to the partner and records the disclosure of the local one.
  StatusOr<fhir::FhirResponse> Put(const StoredResource& stored, fhir::FhirRequest put);

  std::string name_;
  EndpointConfig endpoint_;
  SyncContext context_;
  fhir::FhirClient& client_;
  SyncAudit audit_;
};

}  // namespace duet::gateway
