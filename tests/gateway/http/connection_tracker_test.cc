#include "gateway/http/connection_tracker.h"

#include <gtest/gtest.h>

namespace duet::gateway {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Verdict = ConnectionVerdict;
const ConnectionTracker::Clock::time_point kStart =
    ConnectionTracker::Clock::time_point() + std::chrono::hours(1);
constexpr uint64_t kNeverSent = 4000000000;  // what the kernel reports before the first byte

ConnectionLimits Limits() {
  ConnectionLimits limits;
  limits.idle_timeout = seconds(10);
  limits.request_timeout = seconds(5);
  limits.max_request_bytes = 1000;
  return limits;
}

TEST(ConnectionTrackerTest, AConnectionThatNeverSendsIsClosedWhenIdle) {
  ConnectionTracker tracker(Limits());
  EXPECT_EQ(tracker.Observe({0, 0, 9999, kNeverSent}, kStart), Verdict::kKeep);
  EXPECT_EQ(tracker.Observe({0, 0, 10000, kNeverSent}, kStart + milliseconds(1)), Verdict::kIdle);
}

TEST(ConnectionTrackerTest, AKeepAliveConnectionIsClosedAfterTheIdleTimeoutOnly) {
  ConnectionTracker tracker(Limits());
  // A request came and was answered; then quiet.
  EXPECT_EQ(tracker.Observe({300, 1500, 20, 10}, kStart), Verdict::kKeep);
  EXPECT_EQ(tracker.Observe({300, 1500, 9020, 9010}, kStart + seconds(9)), Verdict::kKeep);
  // The next request answered in time resets the clock.
  EXPECT_EQ(tracker.Observe({600, 3000, 30, 20}, kStart + milliseconds(9250)), Verdict::kKeep);
  EXPECT_EQ(tracker.Observe({600, 3000, 9980, 9970}, kStart + seconds(19)), Verdict::kKeep);
  EXPECT_EQ(tracker.Observe({600, 3000, 10230, 10220}, kStart + milliseconds(19250)),
            Verdict::kIdle);
}

TEST(ConnectionTrackerTest, HeadersTricklingInAreCutAtTheRequestTimeout) {
  ConnectionTracker tracker(Limits());
  EXPECT_EQ(tracker.Observe({300, 1500, 20, 10}, kStart), Verdict::kKeep);  // handshake
  // One byte a second: never idle, but the request never completes.
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(tracker.Observe({300u + i * 30, 1500, 100, 1000u * i}, kStart + seconds(i)),
              Verdict::kKeep)
        << i;
  }
  EXPECT_EQ(tracker.Observe({450, 1500, 100, 5000}, kStart + milliseconds(5900)),
            Verdict::kSlowRequest);
}

TEST(ConnectionTrackerTest, AnAnswerEndsTheRequestClock) {
  ConnectionTracker tracker(Limits());
  EXPECT_EQ(tracker.Observe({300, 0, 10, kNeverSent}, kStart), Verdict::kKeep);
  EXPECT_EQ(tracker.Observe({300, 0, 4000, kNeverSent}, kStart + seconds(4)), Verdict::kKeep);
  // Answered (the handler took 4.5 s), then a new request arrived within the same sample.
  EXPECT_EQ(tracker.Observe({400, 2000, 100, 400}, kStart + milliseconds(4900)), Verdict::kKeep);
  EXPECT_EQ(tracker.Observe({400, 2000, 4500, 4800}, kStart + milliseconds(9300)), Verdict::kKeep);
  EXPECT_EQ(tracker.Observe({400, 2000, 5000, 5300}, kStart + milliseconds(9800)),
            Verdict::kSlowRequest);
}

TEST(ConnectionTrackerTest, HeadersWithoutEndAreCutPastTheSizeLimit) {
  ConnectionTracker tracker(Limits());
  EXPECT_EQ(tracker.Observe({300, 1500, 20, 10}, kStart), Verdict::kKeep);
  EXPECT_EQ(tracker.Observe({1200, 1500, 0, 250}, kStart + milliseconds(250)), Verdict::kKeep);
  EXPECT_EQ(tracker.Observe({1400, 1500, 0, 500}, kStart + milliseconds(500)),
            Verdict::kRequestTooLarge);
}

}  // namespace
}  // namespace duet::gateway
