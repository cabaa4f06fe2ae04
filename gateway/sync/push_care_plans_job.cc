#include "gateway/sync/push_care_plans_job.h"

#include <algorithm>
#include <map>

#include "fhir/client/http_error.h"
#include "fhir/client/retry_policy.h"
#include "fhir/search/date_range.h"
#include "fhir/search/search_query.h"
#include "gateway/sync/outbound_bundle.h"
#include "gateway/sync/partner_sharing.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/code_tables.h"
#include "mappings/mapper_support.h"
#include "mappings/resource_set.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr int kMaxAttempts = 8;
constexpr int64_t kFirstBackoffSeconds = 60;
constexpr int64_t kMaxBackoffSeconds = 3600;
constexpr int64_t kOverlapMillis = 5000;
constexpr int kItemsPerPage = 1000;  // outbox items read at a time

bool RetryCannotHelp(StatusCode code) {
  return code == StatusCode::kInvalidArgument || code == StatusCode::kPermissionDenied ||
         code == StatusCode::kNotFound || code == StatusCode::kConflict ||
         code == StatusCode::kFailedPrecondition || code == StatusCode::kUnprocessable ||
         code == StatusCode::kPayloadTooLarge || code == StatusCode::kGone;
}

bool PartnerUnreachable(StatusCode code) {
  return code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded ||
         code == StatusCode::kUnauthenticated || code == StatusCode::kResourceExhausted;
}

int64_t Backoff(int attempts) {
  int64_t delay = kFirstBackoffSeconds;
  for (int i = 0; i < attempts && delay < kMaxBackoffSeconds; ++i) delay *= 2;
  return std::min(delay, kMaxBackoffSeconds);
}

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
    std::vector<OutboxWork> work;  // one transaction per page
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
      work.push_back({std::move(key), std::move(version)});
    }
    DUET_RETURN_IF_ERROR(state_.EnqueueAll(name_, work, clock_()));
    queued += static_cast<int64_t>(work.size());
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
    std::vector<std::vector<Json>> chunks =
        OutboundChunks(std::move(resources), endpoint_.max_transaction_entries);
    for (size_t i = 0; i < chunks.size(); ++i) {
      std::vector<Json>& chunk = chunks[i];
      for (Json& resource : chunk) UsePartnerReferences(resource, partner_references);
      Json bundle = OutboundTransaction(std::move(chunk));
      fhir::FhirRequest request;
      request.method = "POST";
      request.body = fhir::WriteJson(bundle);
      request.idempotent = true;  // conditional upserts only
      DUET_ASSIGN_OR_RETURN(fhir::FhirResponse response, client_.Send(request));
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
  bool dead = RetryCannotHelp(sent.code()) || item.attempts + 1 >= kMaxAttempts;
  int64_t wait = std::max(Backoff(item.attempts), retry_after);
  DUET_RETURN_IF_ERROR(state_.MarkFailed(item.id, sent.message(), clock_() + wait, dead));
  return PartnerUnreachable(sent.code()) ? sent : Status::Ok();
}

StatusOr<JobRunReport> PushCarePlansJob::RunOnce(const std::function<bool()>& should_stop) {
  DUET_ASSIGN_OR_RETURN(int64_t queued, EnqueueChangedPlans());
  JobRunReport report;
  std::string stopped;
  Status unreachable;
  // Everything due goes out, a page at a time: an item sent is done, and a failed one is due
  // again only after its backoff, so no page holds an item of an earlier one.
  int64_t now = clock_();
  while (stopped.empty()) {
    DUET_ASSIGN_OR_RETURN(std::vector<OutboxItem> due, state_.DueItems(name_, now, kItemsPerPage));
    if (due.empty()) break;
    for (const OutboxItem& item : due) {
      if (should_stop()) {
        stopped = "; stopped early, the rest waits for the next run";
        break;
      }
      Status sent = Send(item, report);
      if (!sent.ok()) {
        unreachable = sent;
        stopped = "; the rest waits for the next run";
        break;
      }
    }
  }
  report.message = std::to_string(report.sent) + " plan(s) of care pushed to " + endpoint_.name +
                   ", " + std::to_string(report.failed) + " failed, " + std::to_string(queued) +
                   " newly queued" + stopped;
  if (!unreachable.ok() && report.sent == 0) {
    return Status(unreachable.code(), report.message + ": " + unreachable.message());
  }
  return report;
}

}  // namespace duet::gateway
