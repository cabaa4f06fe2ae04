#include "gateway/sync/cron_schedule.h"

#include <array>
#include <cctype>
#include <ctime>
#include <vector>

namespace duet::gateway {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  std::vector<std::string_view> names;  // names[i] stands for min + i
};

const std::array<FieldSpec, 5>& Fields() {
  static const auto* fields = new std::array<FieldSpec, 5>{{
      {"minute", 0, 59, {}},
      {"hour", 0, 23, {}},
      {"day of month", 1, 31, {}},
      {"month",
       1,
       12,
       {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
      {"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
  }};
  return *fields;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

StatusOr<int> ParseValue(std::string_view text, const FieldSpec& field) {
  for (size_t i = 0; i < field.names.size(); ++i) {
    if (text.size() == 3 &&
        std::tolower(static_cast<unsigned char>(text[0])) == field.names[i][0] &&
        std::tolower(static_cast<unsigned char>(text[1])) == field.names[i][1] &&
        std::tolower(static_cast<unsigned char>(text[2])) == field.names[i][2]) {
      return field.min + static_cast<int>(i);
    }
  }
  if (text.empty() || text.size() > 2 ||
      text.find_first_not_of("0123456789") != std::string_view::npos) {
    return InvalidArgumentError(std::string(field.name) + ": '" + std::string(text) +
                                "' is not a number");
  }
  int value = std::stoi(std::string(text));
  if (value < field.min || value > field.max) {
    return InvalidArgumentError(std::string(field.name) + ": " + std::to_string(value) +
                                " is outside " + std::to_string(field.min) + "-" +
                                std::to_string(field.max));
  }
  return value;
}

// Sets the bits one comma-separated item selects: "*", "5", "1-5", "*/15", "1-30/2".
Status ParseItem(std::string_view item, const FieldSpec& field, std::vector<bool>& selected) {
  std::vector<std::string_view> step_parts = Split(item, '/');
  if (step_parts.size() > 2) {
    return InvalidArgumentError(std::string(field.name) + ": '" + std::string(item) +
                                "' has more than one '/'");
  }
  int step = 1;
  if (step_parts.size() == 2) {
    std::string_view step_text = step_parts[1];
    if (step_text.empty() || step_text.find_first_not_of("0123456789") != std::string_view::npos ||
        step_text.size() > 2 || std::stoi(std::string(step_text)) == 0) {
      return InvalidArgumentError(std::string(field.name) + ": step '" + std::string(step_text) +
                                  "' must be a number 1-99");
    }
    step = std::stoi(std::string(step_text));
  }
  int low = field.min;
  int high = field.max;
  std::string_view range = step_parts[0];
  if (range != "*") {
    std::vector<std::string_view> bounds = Split(range, '-');
    if (bounds.size() > 2) {
      return InvalidArgumentError(std::string(field.name) + ": '" + std::string(range) +
                                  "' is not a range");
    }
    DUET_ASSIGN_OR_RETURN(low, ParseValue(bounds[0], field));
    high = low;
    if (bounds.size() == 2) {
      DUET_ASSIGN_OR_RETURN(high, ParseValue(bounds[1], field));
    } else if (step_parts.size() == 2) {
      high = field.max;  // "5/15" means from 5 to the end, every 15
    }
    if (high < low) {
      return InvalidArgumentError(std::string(field.name) + ": range '" + std::string(range) +
                                  "' runs backwards");
    }
  }
  for (int value = low; value <= high; value += step) selected[value] = true;
  return Status::Ok();
}

StatusOr<std::vector<bool>> ParseField(std::string_view text, const FieldSpec& field) {
  std::vector<bool> selected(static_cast<size_t>(field.max) + 1, false);
  for (std::string_view item : Split(text, ',')) {
    if (item.empty()) {
      return InvalidArgumentError(std::string(field.name) + ": empty item in '" +
                                  std::string(text) + "'");
    }
    DUET_RETURN_IF_ERROR(ParseItem(item, field, selected));
  }
  return selected;
}

template <size_t N>
void CopyBits(const std::vector<bool>& from, int offset, std::bitset<N>& to) {
  for (size_t i = 0; i < from.size(); ++i) {
    if (from[i]) to.set((static_cast<int>(i) - offset) % static_cast<int>(N));
  }
}

}  // namespace

StatusOr<CronSchedule> CronSchedule::Parse(std::string_view expression) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < expression.size()) {
    while (i < expression.size() && std::isspace(static_cast<unsigned char>(expression[i]))) ++i;
    size_t start = i;
    while (i < expression.size() && !std::isspace(static_cast<unsigned char>(expression[i]))) ++i;
    if (i > start) fields.push_back(expression.substr(start, i - start));
  }
  if (fields.size() != 5) {
    return InvalidArgumentError(
        "a cron expression has 5 fields (minute hour day-of-month month "
        "day-of-week); '" +
        std::string(expression) + "' has " + std::to_string(fields.size()));
  }
  CronSchedule schedule;
  schedule.expression_ = std::string(expression);
  std::array<std::vector<bool>, 5> parsed;
  for (size_t f = 0; f < 5; ++f) {
    DUET_ASSIGN_OR_RETURN(parsed[f], ParseField(fields[f], Fields()[f]));
  }
  CopyBits(parsed[0], 0, schedule.minutes_);
  CopyBits(parsed[1], 0, schedule.hours_);
  CopyBits(parsed[2], 0, schedule.days_of_month_);
  CopyBits(parsed[3], 0, schedule.months_);
  CopyBits(parsed[4], 0, schedule.days_of_week_);  // 7 wraps to 0 (Sunday)
  schedule.day_of_month_restricted_ = fields[2] != "*";
  schedule.day_of_week_restricted_ = fields[4] != "*";
  return schedule;
}

int64_t CronSchedule::NextAfter(int64_t after) const {
  int64_t candidate = (after / 60 + 1) * 60;
  const int64_t limit = after + int64_t{5} * 366 * 24 * 3600;
  while (candidate <= limit) {
    std::time_t seconds = static_cast<std::time_t>(candidate);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    if (!months_[utc.tm_mon + 1]) {
      // Jump to the first minute of the next month.
      utc.tm_mon += 1;
      utc.tm_mday = 1;
      utc.tm_hour = 0;
      utc.tm_min = 0;
      utc.tm_sec = 0;
      candidate = timegm(&utc);
      continue;
    }
    bool dom = days_of_month_[utc.tm_mday];
    bool dow = days_of_week_[utc.tm_wday];
    bool day = (day_of_month_restricted_ && day_of_week_restricted_) ? (dom || dow) : (dom && dow);
    if (!day) {
      candidate = (candidate / 86400 + 1) * 86400;
      continue;
    }
    if (!hours_[utc.tm_hour]) {
      candidate = (candidate / 3600 + 1) * 3600;
      continue;
    }
    if (!minutes_[utc.tm_min]) {
      candidate += 60;
      continue;
    }
    return candidate;
  }
  return -1;
}

}  // namespace duet::gateway
