#include "gateway/sync/push_care_plans_job.h"

#include <algorithm>
#include <map>

#include "fhir/client/http_error.h"
#include "gateway/audit/audit_entities.h"
#include "gateway/sync/changed_resources.h"
#include "gateway/sync/outbound_bundle.h"
#include "gateway/sync/outbox_policy.h"
#include "gateway/sync/partner_sharing.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/code_tables.h"
#include "mappings/mapper_support.h"
#include "mappings/resource_set.h"

namespace duet::gateway {
namespace {

using fhir::Json;

}  // namespace

PushCarePlansJob::PushCarePlansJob(std::string name, EndpointConfig endpoint,
                                   const SyncContext& context, fhir::FhirClient& client)
    : name_(std::move(name)),
      endpoint_(std::move(endpoint)),
      store_(context.store),
      state_(context.state),
      client_(client),
      context_(context.mapping),
      clock_(context.clock),
      audit_(context.audit, name_, endpoint_) {}

StatusOr<int64_t> PushCarePlansJob::EnqueueChangedPlans() {
  DUET_ASSIGN_OR_RETURN(JobState job, state_.LoadJob(name_));
  DUET_ASSIGN_OR_RETURN(PartnerSharing sharing,
                        PartnerSharing::ForOrganization(store_, endpoint_.organization_npi));
  std::string_view system = mappings::SystemFor(context_, mappings::kinds::kPlanOfCare);
  int64_t queued = 0;
  std::vector<OutboxWork> work;  // queued in one transaction
  DUET_ASSIGN_OR_RETURN(
      std::string watermark,
      VisitChangedSince(store_, "CarePlan", {}, job.watermark,
                        [&](const StoredResource& stored) -> Status {
                          DUET_ASSIGN_OR_RETURN(Json plan, ParseStored(stored));
                          if (!mappings::IdentifierValue(plan, system)) return Status::Ok();
                          DUET_ASSIGN_OR_RETURN(bool shared, sharing.SharesPlan(store_, plan));
                          if (!shared) return Status::Ok();
                          std::string key = "CarePlan/" + stored.id;
                          std::string version = std::to_string(stored.version_id);
                          DUET_ASSIGN_OR_RETURN(auto sent, state_.Marker(name_, key));
                          if (sent && *sent == version) return Status::Ok();
                          work.push_back({std::move(key), std::move(version)});
                          return Status::Ok();
                        }));
  DUET_RETURN_IF_ERROR(state_.EnqueueAll(name_, work, clock_()));
  queued = static_cast<int64_t>(work.size());
  // Everything up to the watermark is in the outbox now; only then does it move.
  if (watermark != job.watermark) DUET_RETURN_IF_ERROR(state_.SaveWatermark(name_, watermark));
  return queued;
}

StatusOr<fhir::FhirResponse> PushCarePlansJob::SendChunk(const Json& bundle,
                                                         const OutboundOrigins& origins) {
  AuditRecord record = audit_.Draft("transaction");
  if (const Json* entries = bundle.Find("entry")) {
    for (const Json& entry : entries->items()) {
      const Json* resource = entry.Find("resource");
      auto origin = origins.find(resource == nullptr ? "" : OutboundKey(*resource));
      if (origin != origins.end()) AddStoredAuditEntity(record, origin->second);
    }
  }
  fhir::FhirRequest request;
  request.method = "POST";
  request.body = fhir::WriteJson(bundle);
  request.idempotent = true;  // conditional upserts only
  StatusOr<fhir::FhirResponse> response = client_.Send(request);
  DUET_RETURN_IF_ERROR(audit_.Disclosed(record, response));
  return response;
}

Status PushCarePlansJob::Send(const OutboxItem& item, JobRunReport& report) {
  LiteralReference target;
  if (!ParseLiteralReference(item.key, &target)) {
    ++report.failed;
    return state_.MarkFailed(item.id, "not a resource reference: " + item.key, 0, true);
  }
  auto current = store_.Read(target.type, target.id);
  if (!current.ok() || current->deleted) {
    return state_.MarkDone(item.id);  // deleted since: nothing to send
  }
  int64_t retry_after = 0;
  Status sent = [&]() -> Status {
    OutboundOrigins origins;
    DUET_ASSIGN_OR_RETURN(std::vector<Json> resources, GatherOutbound(store_, *current, &origins));
    std::map<std::string, std::string> partner_references;
    std::vector<std::vector<Json>> chunks =
        OutboundChunks(std::move(resources), endpoint_.max_transaction_entries);
    for (size_t i = 0; i < chunks.size(); ++i) {
      for (Json& resource : chunks[i]) UsePartnerReferences(resource, partner_references);
      Json bundle = OutboundTransaction(std::move(chunks[i]));
      DUET_ASSIGN_OR_RETURN(fhir::FhirResponse response, SendChunk(bundle, origins));
      retry_after = RetryAfterSeconds(response);
      DUET_RETURN_IF_ERROR(fhir::HttpErrorStatus("POST", response));
      if (i + 1 == chunks.size()) break;  // the partner's ids only matter to later chunks
      auto answer = fhir::ParseJson(response.body);
      if (answer.ok()) CollectPartnerReferences(bundle, *answer, &partner_references);
    }
    return Status::Ok();
  }();
  if (sent.ok()) {
    ++report.sent;
    return state_.MarkDoneWithMarker(item.id, name_, item.key, std::to_string(current->version_id));
  }
  ++report.failed;
  return RecordOutboxFailure(state_, item, sent, retry_after, clock_());
}

StatusOr<JobRunReport> PushCarePlansJob::RunOnce(const std::function<bool()>& should_stop) {
  DUET_ASSIGN_OR_RETURN(int64_t queued, EnqueueChangedPlans());
  JobRunReport report;
  DUET_ASSIGN_OR_RETURN(OutboxDrain drain,
                        DrainOutbox(state_, name_, clock_(), should_stop,
                                    [&](const OutboxItem& item) { return Send(item, report); }));
  report.message = std::to_string(report.sent) + " plan(s) of care pushed to " + endpoint_.name +
                   ", " + std::to_string(report.failed) + " failed, " + std::to_string(queued) +
                   " newly queued" + drain.stopped;
  if (!drain.unreachable.ok() && report.sent == 0) {
    return Status(drain.unreachable.code(), report.message + ": " + drain.unreachable.message());
  }
  return report;
}

}  // namespace duet::gateway
