#include "gateway/sync/pull_medication_history_job.h"

#include <set>

#include "fhir/search/date_range.h"
#include "gateway/audit/audit_entities.h"
#include "gateway/sync/outbox_policy.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/code_tables.h"
#include "mappings/mapper_support.h"
#include "mappings/resource_set.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr std::string_view kKeyPrefix = "patient ";
constexpr std::string_view kMarkerPrefix = "pulled ";

// The same day a year earlier (29 February → 28 February).
std::string YearBefore(const std::string& day) {
  std::string year = std::to_string(std::atoi(day.substr(0, 4).c_str()) - 1);
  std::string rest = day.substr(4);
  if (rest == "-02-29") rest = "-02-28";
  return std::string(4 - std::min<size_t>(4, year.size()), '0') + year + rest;
}

// The store's Patient ids that are the subject of an active resource of `type` carrying an
// identifier of `system` (an active plan of care, an open referral).
Status AddSubjects(ResourceStore& store, const std::string& type, const std::string& system,
                   std::set<std::string>& patients) {
  DUET_ASSIGN_OR_RETURN(std::vector<StoredResource> found,
                        SearchAllInStore(store, type, {{"status", "active"}}));
  for (const StoredResource& stored : found) {
    DUET_ASSIGN_OR_RETURN(Json resource, ParseStored(stored));
    if (!mappings::IdentifierValue(resource, system)) continue;
    const Json* subject = resource.Find("subject");
    LiteralReference target;
    if (subject != nullptr && ParseLiteralReference(subject->StringOr("reference"), &target) &&
        target.type == "Patient") {
      patients.insert(target.id);
    }
  }
  return Status::Ok();
}

}  // namespace

PullMedicationHistoryJob::PullMedicationHistoryJob(JobConfig job, EndpointConfig endpoint,
                                                   const SyncContext& context,
                                                   fhir::FhirClient& client)
    : job_(std::move(job)),
      context_(context),
      source_(std::move(endpoint), client),
      writer_(context.store, context.local_fhir, context.mapping),
      audit_(context.audit, job_.name, source_.endpoint()) {}

std::string PullMedicationHistoryJob::AsOf() const {
  if (!job_.as_of.empty()) return job_.as_of;
  return fhir::FormatInstantMillis(context_.clock() * 1000).substr(0, 10);
}

StatusOr<int64_t> PullMedicationHistoryJob::EnqueueDuePatients() {
  const mappings::MappingContext& mapping = context_.mapping;
  std::set<std::string> patients;
  DUET_RETURN_IF_ERROR(AddSubjects(
      context_.store, "CarePlan",
      std::string(mappings::SystemFor(mapping, mappings::kinds::kPlanOfCare)), patients));
  DUET_RETURN_IF_ERROR(
      AddSubjects(context_.store, "ServiceRequest",
                  std::string(mappings::SystemFor(mapping, mappings::kinds::kReferral)), patients));
  int64_t now = context_.clock();
  int64_t queued = 0;
  for (const std::string& id : patients) {
    auto stored = context_.store.Read("Patient", id);
    if (!stored.ok() || stored->deleted) continue;
    DUET_ASSIGN_OR_RETURN(Json patient, ParseStored(*stored));
    auto mrn =
        mappings::IdentifierValue(patient, mappings::SystemFor(mapping, mappings::kinds::kMrn));
    if (!mrn) continue;  // not one of the practice's patients
    DUET_ASSIGN_OR_RETURN(auto pulled,
                          context_.state.Marker(job_.name, std::string(kMarkerPrefix) + *mrn));
    if (pulled && now - std::atoll(pulled->c_str()) < job_.repull_every_seconds) continue;
    // One item per patient and re-pull period: a dead letter comes back in the next period.
    std::string period = std::to_string(now / job_.repull_every_seconds);
    DUET_RETURN_IF_ERROR(
        context_.state.Enqueue(job_.name, std::string(kKeyPrefix) + *mrn, period, now).status());
    ++queued;
  }
  return queued;
}

StatusOr<StoredHistory> PullMedicationHistoryJob::PullPatient(const std::string& mrn) {
  std::string system(mappings::SystemFor(context_.mapping, mappings::kinds::kMrn));
  DUET_ASSIGN_OR_RETURN(
      std::vector<StoredResource> patients,
      SearchAllInStore(context_.store, "Patient", {{"identifier", system + "|" + mrn}}));
  if (patients.size() != 1) {
    return NotFoundError(std::to_string(patients.size()) + " patients carry the MRN " + mrn);
  }
  DUET_ASSIGN_OR_RETURN(Json patient, ParseStored(patients.front()));
  // The search discloses the patient's identifiers and demographics to the source; what it
  // answers is imported: one audit record for both.
  AuditRecord record = audit_.Draft("search-type");
  AddStoredAuditEntity(record, patients.front());
  StoredHistory stored;
  DUET_RETURN_IF_ERROR(audit_.Imported(record, [&]() -> Status {
    DUET_ASSIGN_OR_RETURN(SourcePatient match, source_.FindPatient(patient, context_.mapping));
    std::string as_of = AsOf();
    std::string from = YearBefore(as_of);
    PulledHistory pulled{&source_.endpoint(), match.matched_by, {}};
    DUET_ASSIGN_OR_RETURN(pulled.resources, source_.FetchHistory(match.id, from));
    DUET_ASSIGN_OR_RETURN(stored,
                          writer_.Store(patients.front(), mrn, pulled, from, as_of,
                                        fhir::FormatInstantMillis(context_.clock() * 1000)));
    return Status::Ok();
  }));
  return stored;
}

Status PullMedicationHistoryJob::Pull(const OutboxItem& item, JobRunReport& report) {
  std::string mrn = item.key.substr(kKeyPrefix.size());
  StatusOr<StoredHistory> stored = PullPatient(mrn);
  if (stored.ok()) {
    report.received += stored->fills;
    DUET_RETURN_IF_ERROR(context_.state.SetMarker(job_.name, std::string(kMarkerPrefix) + mrn,
                                                  std::to_string(context_.clock())));
    return context_.state.MarkDone(item.id);
  }
  ++report.failed;
  return RecordOutboxFailure(context_.state, item, stored.status().WithContext(mrn), 0,
                             context_.clock());
}

StatusOr<JobRunReport> PullMedicationHistoryJob::RunOnce(const std::function<bool()>& should_stop) {
  DUET_ASSIGN_OR_RETURN(int64_t queued, EnqueueDuePatients());
  JobRunReport report;
  int64_t pulled = 0;
  DUET_ASSIGN_OR_RETURN(OutboxDrain pass, DrainOutbox(context_.state, job_.name, context_.clock(),
                                                      should_stop, [&](const OutboxItem& item) {
                                                        int64_t failed = report.failed;
                                                        Status handled = Pull(item, report);
                                                        if (handled.ok() && report.failed == failed)
                                                          ++pulled;
                                                        return handled;
                                                      }));
  report.message = std::to_string(pulled) + " patient(s) pulled from " + source_.endpoint().name +
                   " as of " + AsOf() + ", " + std::to_string(report.failed) + " failed, " +
                   std::to_string(queued) + " newly queued" + pass.stopped;
  if (!pass.unreachable.ok() && pulled == 0) {
    return Status(pass.unreachable.code(), report.message + ": " + pass.unreachable.message());
  }
  return report;
}

}  // namespace duet::gateway
