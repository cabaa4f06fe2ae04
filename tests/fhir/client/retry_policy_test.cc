#include "fhir/client/retry_policy.h"

#include <gtest/gtest.h>

#include <ctime>

namespace duet::fhir {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicyTest, RetriesOnlyTheStatusesThatMeanTryLater) {
  for (int status : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(IsRetryableHttpStatus(status));
  for (int status : {200, 201, 400, 401, 403, 404, 409, 412, 422, 501, 505}) {
    EXPECT_FALSE(IsRetryableHttpStatus(status)) << status;
  }
}

TEST(RetryPolicyTest, BackoffDoublesUpToTheCap) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(1000);
  policy.max_backoff = milliseconds(5000);
  policy.jitter = 0;
  EXPECT_EQ(BackoffDelay(policy, 0, 0.7), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(policy, 1, 0.7), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(policy, 2, 0.7), milliseconds(4000));
  EXPECT_EQ(BackoffDelay(policy, 3, 0.7), milliseconds(5000));
  EXPECT_EQ(BackoffDelay(policy, 60, 0.7), milliseconds(5000));
}

TEST(RetryPolicyTest, JitterLowersTheBackoffByAtMostItsShare) {
  RetryPolicy policy;
  policy.initial_backoff = milliseconds(1000);
  policy.jitter = 0.5;
  EXPECT_EQ(BackoffDelay(policy, 1, 0.0), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(policy, 1, 0.5), milliseconds(1500));
  EXPECT_EQ(BackoffDelay(policy, 1, 0.75), milliseconds(1250));
  EXPECT_GE(BackoffDelay(policy, 1, 0.999), milliseconds(1000));
}

TEST(RetryPolicyTest, RetryAfterInSeconds) {
  auto now = std::chrono::system_clock::now();
  EXPECT_EQ(ParseRetryAfter("120", now), milliseconds(120000));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), milliseconds(0));
  EXPECT_FALSE(ParseRetryAfter("-5", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("1.5", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("", now).has_value());
}

TEST(RetryPolicyTest, RetryAfterAsHttpDate) {
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now), milliseconds(30000));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now), milliseconds(0));
  EXPECT_FALSE(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 PST", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("Sun, 06 Nov 1994", now).has_value());
}

}  // namespace
}  // namespace duet::fhir
