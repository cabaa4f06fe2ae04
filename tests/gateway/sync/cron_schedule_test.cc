#include "gateway/sync/cron_schedule.h"

#include <gtest/gtest.h>

#include <ctime>

namespace duet::gateway {
namespace {

int64_t At(int year, int month, int day, int hour, int minute) {
  std::tm utc{};
  utc.tm_year = year - 1900;
  utc.tm_mon = month - 1;
  utc.tm_mday = day;
  utc.tm_hour = hour;
  utc.tm_min = minute;
  return timegm(&utc);
}

int64_t Next(const char* expression, int64_t after) {
  auto schedule = CronSchedule::Parse(expression);
  EXPECT_TRUE(schedule.ok()) << schedule.status().ToString();
  return schedule.ok() ? schedule->NextAfter(after) : -2;
}

TEST(CronScheduleTest, FindsTheNextMatchingMinute) {
  // 2026-11-27 is a Friday.
  EXPECT_EQ(Next("*/15 * * * *", At(2026, 11, 27, 10, 7)), At(2026, 11, 27, 10, 15));
  EXPECT_EQ(Next("*/15 * * * *", At(2026, 11, 27, 10, 15)), At(2026, 11, 27, 10, 30));
  EXPECT_EQ(Next("0 7-19 * * mon-fri", At(2026, 11, 27, 19, 30)), At(2026, 11, 30, 7, 0));
  EXPECT_EQ(Next("30 2 1 jan *", At(2026, 11, 27, 0, 0)), At(2027, 1, 1, 2, 30));
  EXPECT_EQ(Next("0 0 * * 7", At(2026, 11, 27, 0, 0)), At(2026, 11, 29, 0, 0));  // Sunday
  EXPECT_EQ(Next("5,35 12 * * *", At(2026, 11, 27, 12, 5)), At(2026, 11, 27, 12, 35));
  EXPECT_EQ(Next("0 0 29 2 *", At(2026, 3, 1, 0, 0)), At(2028, 2, 29, 0, 0));
}

TEST(CronScheduleTest, EitherRestrictedDayFieldMatches) {
  // The 1st of the month or any Monday: after Friday the 27th comes Monday the 30th.
  EXPECT_EQ(Next("0 6 1 * mon", At(2026, 11, 27, 12, 0)), At(2026, 11, 30, 6, 0));
  EXPECT_EQ(Next("0 6 1 * mon", At(2026, 11, 30, 12, 0)), At(2026, 12, 1, 6, 0));
}

TEST(CronScheduleTest, ImpossibleDatesHaveNoNextRun) {
  EXPECT_EQ(Next("0 0 30 2 *", At(2026, 1, 1, 0, 0)), -1);
}

TEST(CronScheduleTest, RefusalsNameTheField) {
  for (const auto& [expression, expected] : std::vector<std::pair<const char*, const char*>>{
           {"* * * *", "has 4"},
           {"60 * * * *", "minute: 60 is outside 0-59"},
           {"* 5-2 * * *", "hour: range '5-2' runs backwards"},
           {"* * * foo *", "month: 'foo' is not a number"},
           {"*/0 * * * *", "minute: step '0' must be a number 1-99"},
           {"1,,2 * * * *", "minute: empty item"}}) {
    auto schedule = CronSchedule::Parse(expression);
    ASSERT_FALSE(schedule.ok()) << expression;
    EXPECT_NE(schedule.status().message().find(expected), std::string::npos)
        << expression << ": " << schedule.status().message();
  }
}

}  // namespace
}  // namespace duet::gateway
