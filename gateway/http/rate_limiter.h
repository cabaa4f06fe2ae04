// RateLimiter: a token bucket per client key ("client evim-ehr", "address 10.0.0.7"). A bucket
// holds up to `burst` requests and refills at `per_second`; a request takes one. A refused request
// learns how many whole seconds (at least 1) until one is there again, for `Retry-After`.
//
// Memory is bounded: at most `max_clients` buckets. A bucket that has refilled completely says
// nothing a new bucket would not, so it is dropped: in a sweep of its shard at most once per
// refill period, and whenever its shard is full. When a shard is full of clients that are all
// still draining, a new client is refused (1 s) rather than growing without bound.
//
// The clock is the caller's (`now` on each call), so tests need no waiting. Thread-safe: any
// number of threads may call Acquire at once (the keys are spread over independently locked
// shards). Owns its buckets; no references to anything else.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace duet::gateway {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // `per_second` > 0, `burst` >= 1, `max_clients` >= 1 (callers validate configuration).
  RateLimiter(double per_second, double burst, size_t max_clients = 65536);

  // 0 when `client` may go ahead (one request taken from its bucket); otherwise the whole seconds
  // (>= 1) after which it may try again.
  int64_t Acquire(const std::string& client, Clock::time_point now);

  // Buckets held now (for tests and metrics).
  size_t size() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Bucket> buckets;
    Clock::time_point last_sweep;
  };
  static constexpr size_t kShards = 16;

  // Drops the buckets of `shard` that are full again at `now`. Called with its mutex held.
  void Sweep(Shard& shard, Clock::time_point now) const;
  double Refilled(const Bucket& bucket, Clock::time_point now) const;

  double per_second_;
  double burst_;
  size_t max_per_shard_;
  Clock::duration refill_period_;  // the time an empty bucket takes to fill
  std::array<Shard, kShards> shards_;
};

}  // namespace duet::gateway
