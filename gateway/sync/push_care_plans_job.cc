#include "gateway/sync/push_care_plans_job.h"

#include <algorithm>
#include <map>

#include "fhir/client/http_error.h"
#include "fhir/client/retry_policy.h"
#include "fhir/search/date_range.h"
#include "fhir/search/search_query.h"
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

constexpr int64_t kOverlapMillis = 5000;
constexpr int kItemsPerRun = 1000;

// The watermark minus the overlap, as a FHIR instant for `_lastUpdated=ge...`.
std::string SearchFrom(const std::string& watermark) {
  auto millis = fhir::ParseInstantMillis(watermark);
  if (!millis.ok()) return "";
  return fhir::FormatInstantMillis(*millis - kOverlapMillis);
}

// What the partner's Retry-After asks for, in seconds (0 when it says nothing).
int64_t RetryAfterSeconds(const fhir::FhirResponse& response) {
  const std::string* value = response.Header("Retry-After");
  if (value == nullptr) return 0;
  auto wait = fhir::ParseRetryAfter(*value, std::chrono::system_clock::now());
  return wait ? std::chrono::duration_cast<std::chrono::seconds>(*wait).count() : 0;
}

}  // namespace

PushCarePlansJob::PushCarePlansJob(std::string name, EndpointConfig endpoint, ResourceStore& store,
                                   SyncStateStore& state, fhir::FhirClient& client,
                                   mappings::MappingContext context, Clock clock)
    : name_(std::move(name)),
      endpoint_(std::move(endpoint)),
      store_(store),
      state_(state),
      client_(client),
      context_(std::move(context)),
      clock_(std::move(clock)) {}

StatusOr<int64_t> PushCarePlansJob::EnqueueChangedPlans() {
  DUET_ASSIGN_OR_RETURN(JobState job, state_.LoadJob(name_));
  DUET_ASSIGN_OR_RETURN(PartnerSharing sharing,
                        PartnerSharing::ForOrganization(store_, endpoint_.organization_npi));
  SearchParams params = {{"_sort", "_lastUpdated"}};
  std::string from = SearchFrom(job.watermark);
  if (!from.empty()) params.emplace_back("_lastUpdated", "ge" + from);
  fhir::SearchParseOptions options;
  options.max_count = 1000;
  DUET_ASSIGN_OR_RETURN(fhir::SearchQuery query,
                        fhir::ParseSearchQuery("CarePlan", params, options));
  query.count = 1000;
  std::string system = mappings::SystemFor(context_, mappings::kinds::kPlanOfCare);
  std::string watermark = job.watermark;
  int64_t queued = 0;
  while (true) {
    DUET_ASSIGN_OR_RETURN(SearchResult page, store_.Search(query));
    for (const StoredResource& stored : page.matches) {
      watermark = std::max(watermark, stored.last_updated);
      DUET_ASSIGN_OR_RETURN(Json plan, ParseStored(stored));
      if (!mappings::IdentifierValue(plan, system)) continue;  // not a plan of care
      DUET_ASSIGN_OR_RETURN(bool shared, sharing.SharesPlan(store_, plan));
      if (!shared) continue;
      std::string key = "CarePlan/" + stored.id;
      std::string version = std::to_string(stored.version_id);
      DUET_ASSIGN_OR_RETURN(auto sent, state_.Marker(name_, key));
      if (sent && *sent == version) continue;
      DUET_RETURN_IF_ERROR(state_.Enqueue(name_, key, version, clock_()).status());
      ++queued;
    }
    if (page.next_cursor.empty()) break;
    query.cursor = page.next_cursor;
  }
  // Everything up to the watermark is in the outbox now; only then does it move.
  if (watermark != job.watermark) DUET_RETURN_IF_ERROR(state_.SaveWatermark(name_, watermark));
  return queued;
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
    DUET_ASSIGN_OR_RETURN(std::vector<Json> resources, GatherOutbound(store_, *current));
    std::map<std::string, std::string> partner_references;
    for (std::vector<Json>& chunk :
         OutboundChunks(std::move(resources), endpoint_.max_transaction_entries)) {
      for (Json& resource : chunk) UsePartnerReferences(resource, partner_references);
      Json bundle = OutboundTransaction(std::move(chunk));
      fhir::FhirRequest request;
      request.method = "POST";
      request.body = fhir::WriteJson(bundle);
      request.idempotent = true;  // conditional upserts only
      DUET_ASSIGN_OR_RETURN(fhir::FhirResponse response, client_.Send(request));
      retry_after = RetryAfterSeconds(response);
      DUET_RETURN_IF_ERROR(fhir::HttpErrorStatus("POST", response));
      auto answer = fhir::ParseJson(response.body);
      if (answer.ok()) CollectPartnerReferences(bundle, *answer, &partner_references);
    }
    return Status::Ok();
  }();
  if (sent.ok()) {
    ++report.sent;
    DUET_RETURN_IF_ERROR(state_.SetMarker(name_, item.key, std::to_string(current->version_id)));
    return state_.MarkDone(item.id);
  }
  ++report.failed;
  bool dead = RetryCannotHelp(sent.code()) || item.attempts + 1 >= kOutboxMaxAttempts;
  int64_t wait = std::max(OutboxBackoffSeconds(item.attempts), retry_after);
  DUET_RETURN_IF_ERROR(state_.MarkFailed(item.id, sent.message(), clock_() + wait, dead));
  return PartnerUnreachable(sent.code()) ? sent : Status::Ok();
}

StatusOr<JobRunReport> PushCarePlansJob::RunOnce(const std::function<bool()>& should_stop) {
  DUET_ASSIGN_OR_RETURN(int64_t queued, EnqueueChangedPlans());
  DUET_ASSIGN_OR_RETURN(std::vector<OutboxItem> due,
                        state_.DueItems(name_, clock_(), kItemsPerRun));
  JobRunReport report;
  OutboxPass pass =
      HandleDueItems(due, should_stop, [&](const OutboxItem& item) { return Send(item, report); });
  report.message = std::to_string(report.sent) + " plan(s) of care pushed to " + endpoint_.name +
                   ", " + std::to_string(report.failed) + " failed, " + std::to_string(queued) +
                   " newly queued" + pass.stopped;
  if (!pass.unreachable.ok() && report.sent == 0) {
    return Status(pass.unreachable.code(), report.message + ": " + pass.unreachable.message());
  }
  return report;
}

}  // namespace duet::gateway
