#include "fhir/search/date_range.h"

#include <gtest/gtest.h>

namespace duet::fhir {
namespace {

DateRange MustParse(const std::string& text) {
  StatusOr<DateRange> range = ParseDateRange(text);
  EXPECT_TRUE(range.ok()) << text << ": " << range.status().ToString();
  return range.ok() ? *range : DateRange{};
}

TEST(DateRangeTest, PartialDatesCoverTheirWholePeriod) {
  EXPECT_EQ(MustParse("2024").low, "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(MustParse("2024").high, "2025-01-01T00:00:00.000Z");
  EXPECT_EQ(MustParse("2024-12").low, "2024-12-01T00:00:00.000Z");
  EXPECT_EQ(MustParse("2024-12").high, "2025-01-01T00:00:00.000Z");
  EXPECT_EQ(MustParse("2024-02-29").low, "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(MustParse("2024-02-29").high, "2024-03-01T00:00:00.000Z");
}

TEST(DateRangeTest, DateTimesConvertToUtcWithTheirPrecision) {
  const DateRange seconds = MustParse("2013-06-08T10:57:34+01:00");
  EXPECT_EQ(seconds.low, "2013-06-08T09:57:34.000Z");
  EXPECT_EQ(seconds.high, "2013-06-08T09:57:35.000Z");
  const DateRange minutes = MustParse("2013-06-08T23:30-05:00");
  EXPECT_EQ(minutes.low, "2013-06-09T04:30:00.000Z");
  EXPECT_EQ(minutes.high, "2013-06-09T04:31:00.000Z");
  const DateRange millis = MustParse("2015-02-07T13:28:17.239Z");
  EXPECT_EQ(millis.low, "2015-02-07T13:28:17.239Z");
  EXPECT_EQ(millis.high, "2015-02-07T13:28:17.240Z");
  EXPECT_EQ(MustParse("2015-02-07T13:28:17.2391234Z").low, "2015-02-07T13:28:17.239Z");
}

TEST(DateRangeTest, NoTimezoneMeansUtcAndSpaceStandsForPlus) {
  EXPECT_EQ(MustParse("2020-01-01T00:00:00").low, "2020-01-01T00:00:00.000Z");
  EXPECT_EQ(MustParse("2020-01-01T00:00:00 02:00").low, "2019-12-31T22:00:00.000Z");
}

TEST(DateRangeTest, RejectsMalformedDatesSayingWhy) {
  for (const char* bad : {"", "24", "2024-13", "2023-02-29", "2024-01-32", "2024-01-01T25:00",
                          "2024-01-01T10", "2024-01-01T10:00:61", "2024-01-01T10:00Zjunk",
                          "2024-01-01T10:00+1:00", "0000", "2024/01/01", "2024-01-01T10:00:00."}) {
    StatusOr<DateRange> range = ParseDateRange(bad);
    ASSERT_FALSE(range.ok()) << bad;
    EXPECT_EQ(range.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(range.status().message().find(std::string("\"") + bad + "\""), std::string::npos)
        << range.status().message();
  }
}

TEST(DateRangeTest, InstantMillisRoundTrip) {
  for (int64_t millis : {int64_t{0}, int64_t{951782400000}, int64_t{1709164800123},
                         int64_t{-86400000}, int64_t{253402300799999}}) {
    StatusOr<int64_t> parsed = ParseInstantMillis(FormatInstantMillis(millis));
    ASSERT_TRUE(parsed.ok()) << FormatInstantMillis(millis);
    EXPECT_EQ(*parsed, millis);
  }
  EXPECT_EQ(FormatInstantMillis(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_FALSE(ParseInstantMillis("2000-02-30T00:00:00.000Z").ok());
  EXPECT_FALSE(ParseInstantMillis("2000-02-01T00:00:00Z").ok());
}

}  // namespace
}  // namespace duet::fhir
