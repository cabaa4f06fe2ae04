#include "fhir/search/date_range.h"

#include <cstdio>

namespace duet::fhir {

const char kMinInstant[] = "0001-01-01T00:00:00.000Z";
const char kMaxInstant[] = "9999-12-31T23:59:59.999Z";

namespace {

constexpr int64_t kMillisPerSecond = 1000;
constexpr int64_t kMillisPerMinute = 60 * kMillisPerSecond;
constexpr int64_t kMillisPerDay = 24 * 60 * kMillisPerMinute;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

void CivilFromDays(int64_t days, int64_t* year, int64_t* month, int64_t* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  *day = day_of_year - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = year_of_era + era * 400 + (*month <= 2 ? 1 : 0);
}

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int64_t year, int64_t month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Reads exactly `width` digits at `pos`; false when they are not all digits.
bool ReadDigits(std::string_view text, size_t pos, size_t width, int64_t* value) {
  if (pos + width > text.size()) return false;
  int64_t result = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    result = result * 10 + (text[i] - '0');
  }
  *value = result;
  return true;
}

Status Invalid(std::string_view text, const std::string& why) {
  return InvalidArgumentError("invalid date \"" + std::string(text) + "\": " + why);
}

// Adds `months` to a date whose day is 1 (used for month and year precision).
int64_t AddMonthsMillis(int64_t year, int64_t month, int64_t months) {
  const int64_t total = year * 12 + (month - 1) + months;
  return DaysFromCivil(total / 12, total % 12 + 1, 1) * kMillisPerDay;
}

}  // namespace

std::string FormatInstantMillis(int64_t epoch_millis) {
  int64_t days = epoch_millis / kMillisPerDay;
  int64_t rest = epoch_millis % kMillisPerDay;
  if (rest < 0) {
    rest += kMillisPerDay;
    --days;
  }
  int64_t year = 0, month = 0, day = 0;
  CivilFromDays(days, &year, &month, &day);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(year), static_cast<long long>(month),
                static_cast<long long>(day), static_cast<long long>(rest / 3600000),
                static_cast<long long>(rest / 60000 % 60), static_cast<long long>(rest / 1000 % 60),
                static_cast<long long>(rest % 1000));
  return buffer;
}

StatusOr<int64_t> ParseInstantMillis(std::string_view instant) {
  int64_t year, month, day, hour, minute, second, millis;
  if (instant.size() != 24 || !ReadDigits(instant, 0, 4, &year) || instant[4] != '-' ||
      !ReadDigits(instant, 5, 2, &month) || instant[7] != '-' || !ReadDigits(instant, 8, 2, &day) ||
      instant[10] != 'T' || !ReadDigits(instant, 11, 2, &hour) || instant[13] != ':' ||
      !ReadDigits(instant, 14, 2, &minute) || instant[16] != ':' ||
      !ReadDigits(instant, 17, 2, &second) || instant[19] != '.' ||
      !ReadDigits(instant, 20, 3, &millis) || instant[23] != 'Z' || month < 1 || month > 12 ||
      day < 1 || day > DaysInMonth(year, month)) {
    return InvalidArgumentError("invalid instant \"" + std::string(instant) +
                                "\": expected YYYY-MM-DDThh:mm:ss.sssZ");
  }
  return DaysFromCivil(year, month, day) * kMillisPerDay + hour * 3600000 + minute * 60000 +
         second * 1000 + millis;
}

StatusOr<DateRange> ParseDateRange(std::string_view text) {
  int64_t year = 0, month = 1, day = 1;
  if (!ReadDigits(text, 0, 4, &year)) return Invalid(text, "expected a four-digit year");
  if (year < 1) return Invalid(text, "year 0000 does not exist");
  if (text.size() == 4) {
    return DateRange{FormatInstantMillis(AddMonthsMillis(year, 1, 0)),
                     FormatInstantMillis(AddMonthsMillis(year, 1, 12))};
  }
  if (text[4] != '-' || !ReadDigits(text, 5, 2, &month)) {
    return Invalid(text, "expected YYYY-MM after the year");
  }
  if (month < 1 || month > 12) return Invalid(text, "month must be 01 to 12");
  if (text.size() == 7) {
    return DateRange{FormatInstantMillis(AddMonthsMillis(year, month, 0)),
                     FormatInstantMillis(AddMonthsMillis(year, month, 1))};
  }
  if (text[7] != '-' || !ReadDigits(text, 8, 2, &day)) {
    return Invalid(text, "expected YYYY-MM-DD");
  }
  if (day < 1 || day > DaysInMonth(year, month)) {
    return Invalid(text, "day out of range for the month");
  }
  const int64_t day_start = DaysFromCivil(year, month, day) * kMillisPerDay;
  if (text.size() == 10) {
    return DateRange{FormatInstantMillis(day_start),
                     FormatInstantMillis(day_start + kMillisPerDay)};
  }
  int64_t hour = 0, minute = 0, second = 0, millis = 0;
  if (text[10] != 'T' || !ReadDigits(text, 11, 2, &hour) || text.size() < 16 || text[13] != ':' ||
      !ReadDigits(text, 14, 2, &minute)) {
    return Invalid(text, "expected a time as Thh:mm[:ss[.fff]] after the date");
  }
  if (hour > 23 || minute > 59) return Invalid(text, "hour or minute out of range");
  size_t pos = 16;
  int64_t precision = kMillisPerMinute;
  if (pos < text.size() && text[pos] == ':') {
    if (!ReadDigits(text, pos + 1, 2, &second) || second > 59) {
      return Invalid(text, "seconds must be two digits 00 to 59");
    }
    pos += 3;
    precision = kMillisPerSecond;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      size_t digits = 0;
      int64_t scale = 100;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 3) millis += (text[pos] - '0') * scale;
        scale /= 10;
        ++digits;
        ++pos;
      }
      if (digits == 0) return Invalid(text, "expected digits after the decimal point");
      precision = 1;
    }
  }
  int64_t offset_millis = 0;
  if (pos < text.size()) {
    const char sign = text[pos];
    if (sign == 'Z' && pos + 1 == text.size()) {
      // UTC.
    } else if (sign == '+' || sign == '-' || sign == ' ') {
      int64_t offset_hours = 0, offset_minutes = 0;
      if (pos + 6 != text.size() || !ReadDigits(text, pos + 1, 2, &offset_hours) ||
          text[pos + 3] != ':' || !ReadDigits(text, pos + 4, 2, &offset_minutes) ||
          offset_hours > 14 || offset_minutes > 59) {
        return Invalid(text, "timezone offset must be Z or +hh:mm / -hh:mm");
      }
      offset_millis = (offset_hours * 60 + offset_minutes) * kMillisPerMinute;
      if (sign == '-') offset_millis = -offset_millis;
    } else {
      return Invalid(text, "unexpected text after the time");
    }
  }
  const int64_t low = day_start + hour * 3600000 + minute * kMillisPerMinute +
                      second * kMillisPerSecond + millis - offset_millis;
  return DateRange{FormatInstantMillis(low), FormatInstantMillis(low + precision)};
}

}  // namespace duet::fhir
