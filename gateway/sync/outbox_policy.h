// The outbox policy the pushing sync jobs share (docs/sync.md): which failures retrying cannot
// help (dead letters at once), which mean the partner is unreachable (stop the run), the backoff
// between attempts (1 min doubling to 1 h, at least what the partner's Retry-After asks, 8
// attempts at most), the overlap a watermark is re-queried with, and the loop that sends the due
// items of a job.
//
// Free functions; each uses only what it is given, so any thread may call them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "fhir/client/fhir_client.h"
#include "fhir/status.h"
#include "gateway/sync/sync_state_store.h"

namespace duet::gateway {

inline constexpr int kMaxOutboxAttempts = 8;

// 400, 403, 404, 409, 410, 412, 413, 422 (and a bad item): a retry would get the same answer.
bool RetryCannotHelp(StatusCode code);
// 5xx, timeouts, 401, 429: the partner cannot take anything now.
bool PartnerUnreachable(StatusCode code);
// Seconds to wait after `attempts` failed attempts: 60 doubling, at most 3600.
int64_t OutboxBackoffSeconds(int attempts);
// What the answer's Retry-After asks for, in seconds (0 when it says nothing).
int64_t RetryAfterSeconds(const fhir::FhirResponse& response);

// Records one failed attempt of `item`: dead when retrying cannot help or attempts run out,
// otherwise due again after the backoff (or `retry_after`, when longer). Returns `error` when
// the partner is unreachable (the run should stop), OK otherwise, or the state store's error.
Status RecordOutboxFailure(SyncStateStore& state, const OutboxItem& item, const Status& error,
                           int64_t retry_after, int64_t now);

// A FHIR instant (any precision or offset) minus `overlap_millis`, as "YYYY-MM-DDThh:mm:ss.sssZ";
// "" when `watermark` is "" or not an instant.
std::string WatermarkMinus(const std::string& watermark, int64_t overlap_millis);

// Sends the job's due items, oldest first, a page at a time, one at a time with `send` (which
// records each outcome in the state store and returns non-OK only when the run should stop),
// until none is due, `should_stop` turns true, or `send` says stop. The "; ..." suffix for the
// run's message
// ("" when every due item was tried) and the status that stopped it.
struct OutboxDrain {
  std::string stopped;
  Status unreachable;
};
StatusOr<OutboxDrain> DrainOutbox(SyncStateStore& state, const std::string& job, int64_t now,
                                  const std::function<bool()>& should_stop,
                                  const std::function<Status(const OutboxItem&)>& send);

}  // namespace duet::gateway
