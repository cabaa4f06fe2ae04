#include "gateway/http/rate_limiter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace duet::gateway {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
const RateLimiter::Clock::time_point kStart =
    RateLimiter::Clock::time_point() + std::chrono::hours(1);

TEST(RateLimiterTest, ABurstGoesThroughThenTheClientWaits) {
  RateLimiter limiter(/*per_second=*/2, /*burst=*/5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Acquire("client a", kStart), 0) << i;
  EXPECT_EQ(limiter.Acquire("client a", kStart), 1);  // half a second for one at 2/s, rounded up
  // Another client has its own bucket.
  EXPECT_EQ(limiter.Acquire("client b", kStart), 0);
  // Refilled at 2 per second: after 500 ms, one more.
  EXPECT_EQ(limiter.Acquire("client a", kStart + milliseconds(500)), 0);
  EXPECT_EQ(limiter.Acquire("client a", kStart + milliseconds(500)), 1);
  // Never more than the burst, however long it waited.
  auto later = kStart + std::chrono::hours(2);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(limiter.Acquire("client a", later), 0) << i;
  EXPECT_EQ(limiter.Acquire("client a", later), 1);
}

TEST(RateLimiterTest, RetryAfterIsTheWholeSecondsUntilARequestIsThere) {
  RateLimiter limiter(/*per_second=*/0.25, /*burst=*/1);  // one request every 4 s
  EXPECT_EQ(limiter.Acquire("x", kStart), 0);
  EXPECT_EQ(limiter.Acquire("x", kStart), 4);
  EXPECT_EQ(limiter.Acquire("x", kStart + milliseconds(1500)), 3);  // 2.5 s left, rounded up
  EXPECT_EQ(limiter.Acquire("x", kStart + milliseconds(3999)), 1);
  EXPECT_EQ(limiter.Acquire("x", kStart + seconds(4)), 0);
}

TEST(RateLimiterTest, RefusedRequestsDoNotCostAnything) {
  RateLimiter limiter(/*per_second=*/1, /*burst=*/1);
  EXPECT_EQ(limiter.Acquire("x", kStart), 0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(limiter.Acquire("x", kStart + milliseconds(100)), 1);
  EXPECT_EQ(limiter.Acquire("x", kStart + seconds(1)), 0);
}

TEST(RateLimiterTest, BucketsOfClientsThatWentQuietAreDropped) {
  RateLimiter limiter(/*per_second=*/10, /*burst=*/10);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(limiter.Acquire("address " + std::to_string(i), kStart), 0);
  EXPECT_EQ(limiter.size(), 100u);
  // One second refills every bucket; the next call in each shard sweeps it.
  for (int i = 0; i < 200; ++i) limiter.Acquire("late " + std::to_string(i), kStart + seconds(2));
  EXPECT_EQ(limiter.size(), 200u);
}

TEST(RateLimiterTest, MemoryIsBoundedEvenWhenEveryClientIsDraining) {
  RateLimiter limiter(/*per_second=*/1, /*burst=*/1, /*max_clients=*/32);
  int refused = 0;
  for (int i = 0; i < 1000; ++i) {
    if (limiter.Acquire("address " + std::to_string(i), kStart) != 0) ++refused;
  }
  EXPECT_LE(limiter.size(), 32u);
  EXPECT_GE(refused, 1000 - 32);
  // Once they have refilled, their buckets make room for new clients.
  EXPECT_EQ(limiter.Acquire("newcomer", kStart + seconds(1)), 0);
}

TEST(RateLimiterTest, ConcurrentCallersShareOneBucketExactly) {
  RateLimiter limiter(/*per_second=*/1, /*burst=*/1000);
  std::vector<std::thread> threads;
  std::vector<int> granted(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) granted[t] += limiter.Acquire("shared", kStart) == 0 ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted[0] + granted[1] + granted[2] + granted[3], 1000);
}

}  // namespace
}  // namespace duet::gateway
