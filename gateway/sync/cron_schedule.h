// CronSchedule: a five-field cron expression ("*/15 7-19 * * mon-fri": minute, hour, day of month,
// month, day of week), evaluated in UTC, for sync job schedules. Fields take `*`, numbers, ranges
// `a-b`, lists `a,b`, steps `*/n` and `a-b/n`, and three-letter month and day names; day of week
// 0 and 7 are Sunday. As in Vixie cron, when both day fields are restricted a day matching
// either one matches.
//
// An immutable value; thread-safe.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>

#include "fhir/status.h"

namespace duet::gateway {

class CronSchedule {
 public:
  // kInvalidArgument naming the field and what is wrong with it.
  static StatusOr<CronSchedule> Parse(std::string_view expression);

  // The first whole minute strictly after `after` (seconds since the epoch, UTC) that matches;
  // -1 if none within five years (e.g. "0 0 30 2 *").
  int64_t NextAfter(int64_t after) const;

  const std::string& expression() const { return expression_; }

 private:
  std::string expression_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // 1-31
  std::bitset<13> months_;         // 1-12
  std::bitset<7> days_of_week_;    // 0-6, Sunday = 0
  bool day_of_month_restricted_ = false;
  bool day_of_week_restricted_ = false;
};

}  // namespace duet::gateway
