// How the sync jobs treat their outbox (docs/sync.md): which failures retrying cannot help (the
// item becomes a dead letter at once), which mean the partner is out of reach (the run stops and
// leaves the rest for the next one), the backoff between attempts, and the pass over due items.
//
// Pure functions; thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fhir/status.h"
#include "gateway/sync/sync_state_store.h"

namespace duet::gateway {

inline constexpr int kOutboxMaxAttempts = 8;

// An answer that a later attempt cannot change (400, 403, 404, 409, 410, 412, 413, 422).
inline bool RetryCannotHelp(StatusCode code) {
  return code == StatusCode::kInvalidArgument || code == StatusCode::kPermissionDenied ||
         code == StatusCode::kNotFound || code == StatusCode::kConflict ||
         code == StatusCode::kFailedPrecondition || code == StatusCode::kUnprocessable ||
         code == StatusCode::kPayloadTooLarge || code == StatusCode::kGone;
}

// The partner cannot be reached or refuses us for now: no use trying other items this run.
inline bool PartnerUnreachable(StatusCode code) {
  return code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded ||
         code == StatusCode::kUnauthenticated || code == StatusCode::kResourceExhausted;
}

// Seconds to wait after `attempts` failed attempts: 1 minute, doubling, at most 1 hour.
inline int64_t OutboxBackoffSeconds(int attempts) {
  constexpr int64_t kFirst = 60;
  constexpr int64_t kMax = 3600;
  int64_t delay = kFirst;
  for (int i = 0; i < attempts && delay < kMax; ++i) delay *= 2;
  return std::min(delay, kMax);
}

// How a pass over the due outbox items ended.
struct OutboxPass {
  std::string stopped;  // "" when every item was handled, else a remark for the run's message
  Status unreachable;   // why the pass stopped early because of the partner
};

// Hands each item to `handle` (which records its outcome) until `should_stop` turns true or
// `handle` says the partner is unreachable (not OK).
inline OutboxPass HandleDueItems(const std::vector<OutboxItem>& due,
                                 const std::function<bool()>& should_stop,
                                 const std::function<Status(const OutboxItem&)>& handle) {
  OutboxPass pass;
  for (const OutboxItem& item : due) {
    if (should_stop()) {
      pass.stopped = "; stopped early, the rest waits for the next run";
      break;
    }
    Status handled = handle(item);
    if (!handled.ok()) {
      pass.unreachable = handled;
      pass.stopped = "; the rest waits for the next run";
      break;
    }
  }
  return pass;
}

}  // namespace duet::gateway
