// PullReferralsJob (`kind: pull_referrals`): takes in the referrals a partner holds for the
// practice (docs/sync.md). It polls the partner for referral ServiceRequests (category SNOMED CT
// 3457005) changed since its watermark, with their Tasks (`_revinclude=Task:focus`), patient and
// requester (`_include`), sorted by `_lastUpdated`, page by page (`_count`, next links). A
// referral whose Task is owned by the practice (Task.owner is the practice's NPI, or an
// Organization with it) is written through the gateway's own FHIR API as one transaction
// (pulled_referral.h), so it lands in the intake queue exactly like a posted referral.
//
// - The watermark is the partner's own meta.lastUpdated (never our clock), re-queried with a
//   3-minute overlap; it moves after each page, and only over referrals that are committed
//   locally: a referral the local API refuses holds it back (the run reports it as failed and
//   the next run tries again).
// - Repeats are dropped by the ServiceRequest's (id, versionId) with markers, once its Task was
//   taken in; versionIds are compared as text (Medplum's are UUIDs).
// - The partner's Task (id, ETag, content) is linked to the local Task (partner_task_link.h)
//   for push_referral_status.
// - The partner's CapabilityStatement must list `_lastUpdated` for ServiceRequest; it is checked
//   once per run.
// - Each referral taken in is one audit record (SyncAudit, `search-type`), committed with the
//   local transaction that stores it; a referral the local API refuses is recorded as a failure.
//
// Holds references to what `context` names and to the client, which must outlive it; run by one
// thread at a time (SyncJob).
#pragma once

#include <map>
#include <string>

#include "fhir/client/fhir_client.h"
#include "gateway/config/sync_config.h"
#include "gateway/sync/pulled_referral.h"
#include "gateway/sync/sync_audit.h"
#include "gateway/sync/sync_context.h"
#include "gateway/sync/sync_job.h"

namespace duet::gateway {

class PullReferralsJob : public SyncJob {
 public:
  PullReferralsJob(std::string name, EndpointConfig endpoint, std::string practice_npi,
                   const SyncContext& context, fhir::FhirClient& client);

  StatusOr<JobRunReport> RunOnce(const std::function<bool()>& should_stop) override;

 private:
  struct Page;      // one page of the partner's answer, indexed
  struct Progress;  // what the run has seen and taken in so far
  Status CheckPartner();
  Status TakePage(const fhir::Json& bundle, Progress& progress);
  // Takes in one referral (the ServiceRequest and one of its Tasks); OK when it is in the store
  // or a repeat, else the reason it is not (the run goes on without moving the watermark).
  Status TakeReferral(const Page& page, const fhir::Json& request, const fhir::Json& task,
                      Progress& progress);
  StatusOr<bool> OwnedByPractice(const Page& page, const fhir::Json& task);
  // The partner's resource a reference names: from the page's included resources, or read.
  StatusOr<std::optional<fhir::Json>> Referenced(const Page& page, const fhir::Json* reference,
                                                 const std::string& type);
  // Posts the transaction to the local FHIR API; the local Task's id.
  StatusOr<std::string> WriteLocally(const fhir::Json& transaction);

  std::string name_;
  EndpointConfig endpoint_;
  std::string practice_npi_;
  SyncContext context_;
  fhir::FhirClient& client_;
  SyncAudit audit_;
};

}  // namespace duet::gateway
