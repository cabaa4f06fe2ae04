#include "gateway/http/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace duet::gateway {

RateLimiter::RateLimiter(double per_second, double burst, size_t max_clients)
    : per_second_(per_second),
      burst_(std::max(burst, 1.0)),
      max_per_shard_(std::max<size_t>(1, (max_clients + kShards - 1) / kShards)),
      refill_period_(std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(std::max(burst, 1.0) / per_second))) {}

double RateLimiter::Refilled(const Bucket& bucket, Clock::time_point now) const {
  if (now <= bucket.updated) return bucket.tokens;
  double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  return std::min(burst_, bucket.tokens + elapsed * per_second_);
}

void RateLimiter::Sweep(Shard& shard, Clock::time_point now) const {
  for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
    if (Refilled(it->second, now) >= burst_) {
      it = shard.buckets.erase(it);
    } else {
      ++it;
    }
  }
  shard.last_sweep = now;
}

int64_t RateLimiter::Acquire(const std::string& client, Clock::time_point now) {
  Shard& shard = shards_[std::hash<std::string>{}(client) % kShards];
  std::lock_guard<std::mutex> lock(shard.mutex);
  if (now - shard.last_sweep >= refill_period_) Sweep(shard, now);
  auto it = shard.buckets.find(client);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) Sweep(shard, now);
    if (shard.buckets.size() >= max_per_shard_) return 1;
    it = shard.buckets.emplace(client, Bucket{burst_, now}).first;
  }
  Bucket& bucket = it->second;
  bucket.tokens = Refilled(bucket, now);
  bucket.updated = std::max(bucket.updated, now);
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return 0;
  }
  double wait = (1.0 - bucket.tokens) / per_second_;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait)));
}

size_t RateLimiter::size() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mutex);
    total += shard.buckets.size();
  }
  return total;
}

}  // namespace duet::gateway
