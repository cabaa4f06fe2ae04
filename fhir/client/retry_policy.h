// RetryPolicy and the pure functions that decide whether and how long the FHIR client waits before
// trying a request again: retryable HTTP statuses, jittered exponential backoff and Retry-After.
//
// Value types and pure functions: safe from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace duet::fhir {

struct RetryPolicy {
  int max_attempts = 8;  // attempts in all, the first included; 1 = never retry
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{300000};
  // Share of each backoff that is random: the wait is drawn from [(1 - jitter) * b, b].
  double jitter = 0.5;
};

// 408, 429, 500, 502, 503 and 504: answers that say "try again later".
bool IsRetryableHttpStatus(int status);

// The wait before retry number `retry` (0 = the wait after the first attempt):
// b = min(max_backoff, initial_backoff * 2^retry), lowered by up to jitter * b.
// `unit_random` is a number in [0, 1).
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double unit_random);

// A Retry-After value: delta-seconds ("120") or an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"),
// as a wait from `now` (zero for a date in the past). nullopt when it is neither.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

}  // namespace duet::fhir
