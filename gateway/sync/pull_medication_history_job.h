// PullMedicationHistoryJob (`kind: pull_medication_history`): pulls the medication history of
// the practice's patients in care from one medication-history source (the job's endpoint) and
// keeps it reconciled with what every other source returned (docs/sync.md).
//
// A run (1) puts every patient in care (the subject of an active plan of care or of an active
// referral) whose last pull from this source is `repull_every` old, or who was never pulled, in
// the outbox; (2) pulls the due items: finds the patient at the source (by MRN or MBI, else by
// demographics: medication_history_source.h), fetches 12 months of MedicationDispenses and
// MedicationRequests (as of `as_of`, default today in UTC), and stores them with the
// reconciliation as one transaction through the gateway's own FHIR API
// (medication_history_writer.h). A pulled patient gets a marker with the time of the pull.
// No match and an ambiguous match become dead letters at once, with the searches made as the
// reason (`duet sync status`); they are tried again in the next `repull_every` period, or after
// `duet sync retry`. Other failures back off like the push job's; when the source cannot be
// reached the run stops. A crash repeats at most the pull of one patient, whose transaction is
// idempotent. Each patient's pull is one audit record (SyncAudit, `search-type`: the search
// discloses the patient's identifiers and demographics, and the answer is taken in), committed
// with the transaction that stores the history, or recorded with the failure's outcome.
//
// Holds the context's references and the client, which must outlive it.
#pragma once

#include <string>

#include "fhir/client/fhir_client.h"
#include "gateway/config/sync_config.h"
#include "gateway/sync/medication_history_source.h"
#include "gateway/sync/medication_history_writer.h"
#include "gateway/sync/sync_audit.h"
#include "gateway/sync/sync_context.h"
#include "gateway/sync/sync_job.h"

namespace duet::gateway {

class PullMedicationHistoryJob : public SyncJob {
 public:
  PullMedicationHistoryJob(JobConfig job, EndpointConfig endpoint, const SyncContext& context,
                           fhir::FhirClient& client);

  StatusOr<JobRunReport> RunOnce(const std::function<bool()>& should_stop) override;

  // The day the window and statuses are reckoned from: `as_of`, or today (UTC) by the clock.
  std::string AsOf() const;

 private:
  StatusOr<int64_t> EnqueueDuePatients();
  // Pulls one patient and records the outcome. Not OK when the source is unreachable (or the
  // state store fails): the run should stop.
  Status Pull(const OutboxItem& item, JobRunReport& report);
  StatusOr<StoredHistory> PullPatient(const std::string& mrn);

  JobConfig job_;
  SyncContext context_;
  MedicationHistorySource source_;
  MedicationHistoryWriter writer_;
  SyncAudit audit_;
};

}  // namespace duet::gateway
