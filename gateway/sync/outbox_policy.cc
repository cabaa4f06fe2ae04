#include "gateway/sync/outbox_policy.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <vector>

#include "fhir/client/retry_policy.h"
#include "fhir/search/date_range.h"

namespace duet::gateway {
namespace {

constexpr int64_t kFirstBackoffSeconds = 60;
constexpr int64_t kMaxBackoffSeconds = 3600;
constexpr int kItemsPerRun = 1000;

}  // namespace

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

int64_t OutboxBackoffSeconds(int attempts) {
  int64_t delay = kFirstBackoffSeconds;
  for (int i = 0; i < attempts && delay < kMaxBackoffSeconds; ++i) delay *= 2;
  return std::min(delay, kMaxBackoffSeconds);
}

int64_t RetryAfterSeconds(const fhir::FhirResponse& response) {
  const std::string* value = response.Header("Retry-After");
  if (value == nullptr) return 0;
  auto wait = fhir::ParseRetryAfter(*value, std::chrono::system_clock::now());
  return wait ? std::chrono::duration_cast<std::chrono::seconds>(*wait).count() : 0;
}

Status RecordOutboxFailure(SyncStateStore& state, const OutboxItem& item, const Status& error,
                           int64_t retry_after, int64_t now) {
  bool dead = RetryCannotHelp(error.code()) || item.attempts + 1 >= kMaxOutboxAttempts;
  int64_t wait = std::max(OutboxBackoffSeconds(item.attempts), retry_after);
  DUET_RETURN_IF_ERROR(state.MarkFailed(item.id, error.message(), now + wait, dead));
  return PartnerUnreachable(error.code()) ? error : Status::Ok();
}

std::string WatermarkMinus(const std::string& watermark, int64_t overlap_millis) {
  if (watermark.empty()) return "";
  auto range = fhir::ParseDateRange(watermark);
  if (!range.ok()) return "";
  auto millis = fhir::ParseInstantMillis(range->low);
  if (!millis.ok()) return "";
  return fhir::FormatInstantMillis(*millis - overlap_millis);
}

StatusOr<OutboxDrain> DrainOutbox(SyncStateStore& state, const std::string& job, int64_t now,
                                  const std::function<bool()>& should_stop,
                                  const std::function<Status(const OutboxItem&)>& send) {
  OutboxDrain drain;
  // Everything due goes out, a page at a time: an item sent is done, and a failed one is due
  // again only after its backoff, so no page holds an item of an earlier one. An item that comes
  // round again (a job that left it pending) ends the run rather than looping.
  std::set<int64_t> tried;
  bool fresh = true;
  while (drain.stopped.empty() && fresh) {
    DUET_ASSIGN_OR_RETURN(std::vector<OutboxItem> due, state.DueItems(job, now, kItemsPerRun));
    fresh = false;
    for (const OutboxItem& item : due) {
      if (!tried.insert(item.id).second) continue;
      fresh = true;
      if (should_stop()) {
        drain.stopped = "; stopped early, the rest waits for the next run";
        break;
      }
      Status sent = send(item);
      if (!sent.ok()) {
        drain.unreachable = sent;
        drain.stopped = "; the rest waits for the next run";
        break;
      }
    }
  }
  return drain;
}

}  // namespace duet::gateway
