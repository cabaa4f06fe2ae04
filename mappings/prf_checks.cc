#include "mappings/prf_checks.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>

#include "fhir/primitives.h"
#include "mappings/npi.h"

namespace duet::mappings {
namespace {

using fhir::Json;

void Add(std::vector<PrfProblem>* problems, std::string pointer, std::string message) {
  problems->push_back({std::move(pointer), std::move(message)});
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// YYYY-MM-DD, the shape of the schemas' date pattern (without its month and day ranges).
bool HasDateShape(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i != 4 && i != 7 && !IsDigit(text[i])) return false;
  }
  return true;
}

// A date followed by "T" and time and offset characters: what the instant pattern starts with.
bool HasInstantShape(std::string_view text) {
  if (text.size() < 20 || !HasDateShape(text.substr(0, 10)) || text[10] != 'T') return false;
  std::string_view time = text.substr(11);
  return std::all_of(time.begin(), time.end(), [](char c) {
    return IsDigit(c) || c == ':' || c == '.' || c == '+' || c == '-' || c == 'Z';
  });
}

// Month 01-12 and day 01-31, as the schemas' pattern requires: a date outside them is the
// schema's problem, and only the calendar (02-30, 04-31, 02-29 outside leap years) is left here.
bool InPatternRanges(std::string_view date) {
  int month = (date[5] - '0') * 10 + (date[6] - '0');
  int day = (date[8] - '0') * 10 + (date[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// ---- Rules over the whole record --------------------------------------------------------------

// Both walks below extend `pointer` in place and cut it back on the way out, so that a pointer
// string is only copied for a problem.

void CheckNpis(const Json& value, std::string* pointer, std::vector<PrfProblem>* problems) {
  size_t length = pointer->size();
  if (value.is_array()) {
    for (size_t i = 0; i < value.items().size(); ++i) {
      AppendPointerToken(pointer, i);
      CheckNpis(value.items()[i], pointer, problems);
      pointer->resize(length);
    }
    return;
  }
  if (!value.is_object()) return;
  for (const auto& [name, member] : value.members()) {
    AppendPointerToken(pointer, name);
    bool names_an_npi = name == "npi" || EndsWith(name, "_npi");
    if (names_an_npi && member.is_string() && HasNpiShape(member.string_value()) &&
        !IsValidNpi(member.string_value())) {
      const std::string& npi = member.string_value();
      Add(problems, *pointer,
          "NPI \"" + npi + "\" fails the check digit (with these first nine digits it ends in " +
              std::string(1, *NpiCheckDigit(std::string_view(npi).substr(0, 9))) + ")");
    }
    CheckNpis(member, pointer, problems);
    pointer->resize(length);
  }
}

void CheckCalendarDates(const Json& value, std::string* pointer,
                        std::vector<PrfProblem>* problems) {
  size_t length = pointer->size();
  if (value.is_array()) {
    for (size_t i = 0; i < value.items().size(); ++i) {
      AppendPointerToken(pointer, i);
      CheckCalendarDates(value.items()[i], pointer, problems);
      pointer->resize(length);
    }
  } else if (value.is_object()) {
    for (const auto& [name, member] : value.members()) {
      AppendPointerToken(pointer, name);
      CheckCalendarDates(member, pointer, problems);
      pointer->resize(length);
    }
  } else if (value.is_string()) {
    std::string_view text = value.string_value();
    if ((HasDateShape(text) || HasInstantShape(text)) && InPatternRanges(text.substr(0, 10))) {
      if (std::optional<std::string> error = fhir::CheckDateText(text.substr(0, 10))) {
        Add(problems, *pointer, *error);
      }
    }
  }
}

// ---- Date order -------------------------------------------------------------------------------

// A member holding a real calendar date, or no date (absent, another kind, or a bad date: those
// are reported elsewhere).
struct DateMember {
  std::optional<std::string> date;
  std::string pointer;
  std::string label;  // "certification.from"
};

DateMember FindDate(const Json* object, std::string_view key, const std::string& object_pointer,
                    std::string label) {
  DateMember result{std::nullopt, AppendPointer(object_pointer, key), std::move(label)};
  const Json* value = object != nullptr ? object->Find(key) : nullptr;
  if (value != nullptr && value->is_string() && HasDateShape(value->string_value()) &&
      !fhir::CheckDateText(value->string_value())) {
    result.date = value->string_value();
  }
  return result;
}

// Reports `later` when it is before `earlier` (YYYY-MM-DD compares as text).
void RequireNotBefore(const DateMember& earlier, const DateMember& later,
                      std::vector<PrfProblem>* problems) {
  if (earlier.date && later.date && *later.date < *earlier.date) {
    Add(problems, later.pointer,
        later.label + " " + *later.date + " is before " + earlier.label + " " + *earlier.date);
  }
}

// ---- plan_of_care -----------------------------------------------------------------------------

void CheckCertificationStatus(const Json& certification, const std::string& pointer,
                              std::vector<PrfProblem>* problems) {
  const Json* status = certification.Find("status");
  if (status == nullptr || !status->is_string()) return;
  const std::string& value = status->string_value();
  bool has_sent_on = certification.Find("sent_on") != nullptr;
  bool has_signed_on = certification.Find("signed_on") != nullptr;
  if (value == "signed" && !has_signed_on) {
    Add(problems, AppendPointer(pointer, "signed_on"),
        "a certification with status \"signed\" needs signed_on");
  }
  if (value == "sent" && !has_sent_on) {
    Add(problems, AppendPointer(pointer, "sent_on"),
        "a certification with status \"sent\" needs sent_on");
  }
  if (value == "not_sent" && has_sent_on) {
    Add(problems, AppendPointer(pointer, "sent_on"),
        "a certification with status \"not_sent\" has no sent_on");
  }
  if (has_signed_on && value != "signed" && value != "expired") {
    Add(problems, AppendPointer(pointer, "signed_on"),
        "signed_on is set but the certification status is \"" + value +
            R"(" (only "signed" or "expired" carry a signature date))");
  }
}

void CheckCertification(const Json& plan, const std::string& prefix,
                        std::vector<PrfProblem>* problems) {
  const Json* certification = plan.Find("certification");
  if (certification == nullptr || !certification->is_object()) return;
  std::string pointer = AppendPointer(prefix, "certification");
  DateMember from = FindDate(certification, "from", pointer, "certification.from");
  RequireNotBefore(from, FindDate(certification, "to", pointer, "certification.to"), problems);
  RequireNotBefore(FindDate(&plan, "start_of_care", prefix, "start_of_care"), from, problems);
  RequireNotBefore(FindDate(certification, "sent_on", pointer, "certification.sent_on"),
                   FindDate(certification, "signed_on", pointer, "certification.signed_on"),
                   problems);
  CheckCertificationStatus(*certification, pointer, problems);
}

std::string StringMember(const Json& object, std::string_view key) {
  const Json* value = object.Find(key);
  return value != nullptr && value->is_string() ? value->string_value() : std::string();
}

void CheckGoals(const Json& plan, const std::string& prefix, std::vector<PrfProblem>* problems) {
  const Json* goals = plan.Find("goals");
  if (goals == nullptr || !goals->is_array()) return;
  std::string goals_pointer = AppendPointer(prefix, "goals");
  std::map<std::string, size_t> index_by_id;
  for (size_t i = 0; i < goals->items().size(); ++i) {
    const Json& goal = goals->items()[i];
    std::string id = StringMember(goal, "id");
    if (id.empty()) continue;
    auto [it, inserted] = index_by_id.emplace(id, i);
    if (!inserted) {
      Add(problems, AppendPointer(AppendPointer(goals_pointer, i), "id"),
          "goal id \"" + id + "\" is already used by " +
              AppendPointer(AppendPointer(goals_pointer, it->second), "id"));
    }
  }
  for (size_t i = 0; i < goals->items().size(); ++i) {
    const Json& goal = goals->items()[i];
    const Json* supports = goal.Find("supports");
    if (supports == nullptr || !supports->is_string()) continue;
    std::string pointer = AppendPointer(AppendPointer(goals_pointer, i), "supports");
    if (StringMember(goal, "term") == "long") {
      Add(problems, pointer,
          "a long-term goal cannot support another goal; only short-term goals do");
      continue;
    }
    auto target = index_by_id.find(supports->string_value());
    if (target == index_by_id.end()) {
      Add(problems, pointer, "names no goal of this plan: \"" + supports->string_value() + "\"");
    } else if (StringMember(goals->items()[target->second], "term") == "short") {
      Add(problems, pointer,
          "names goal \"" + supports->string_value() +
              "\", which is a short-term goal; a short-term goal supports a long-term goal");
    }
  }
}

void CheckPlanOfCare(const Json& plan, const std::string& prefix,
                     std::vector<PrfProblem>* problems) {
  CheckCertification(plan, prefix, problems);
  CheckGoals(plan, prefix, problems);
  std::string id = StringMember(plan, "id");
  if (!id.empty() && StringMember(plan, "replaces") == id) {
    Add(problems, AppendPointer(prefix, "replaces"),
        "a plan cannot replace itself (replaces equals its id \"" + id + "\")");
  }
}

// ---- referral, medication_list ----------------------------------------------------------------

void CheckReferral(const Json& referral, const std::string& prefix,
                   std::vector<PrfProblem>* problems) {
  const Json* authorization = referral.Find("authorization");
  if (authorization == nullptr || !authorization->is_object()) return;
  std::string pointer = AppendPointer(prefix, "authorization");
  RequireNotBefore(FindDate(authorization, "start", pointer, "authorization.start"),
                   FindDate(authorization, "end", pointer, "authorization.end"), problems);
}

void CheckMedicationList(const Json& list, const std::string& prefix,
                         std::vector<PrfProblem>* problems) {
  const Json* medications = list.Find("medications");
  if (medications == nullptr || !medications->is_array()) return;
  for (size_t i = 0; i < medications->items().size(); ++i) {
    const Json& medication = medications->items()[i];
    std::string pointer = AppendPointer(AppendPointer(prefix, "medications"), i);
    RequireNotBefore(FindDate(&medication, "first_fill", pointer, "first_fill"),
                     FindDate(&medication, "last_fill", pointer, "last_fill"), problems);
  }
}

// ---- Referral status transitions --------------------------------------------------------------

constexpr std::array<std::string_view, 5> kForwardStatuses = {"received", "accepted", "scheduled",
                                                              "in_progress", "completed"};

std::optional<size_t> ForwardRank(std::string_view status) {
  for (size_t i = 0; i < kForwardStatuses.size(); ++i) {
    if (kForwardStatuses[i] == status) return i;
  }
  return std::nullopt;
}

bool IsReferralStatus(std::string_view status) {
  return ForwardRank(status) || status == "declined" || status == "cancelled";
}

bool IsFinal(std::string_view status) {
  return status == "completed" || status == "declined" || status == "cancelled";
}

}  // namespace

void CheckPrfRules(const fhir::Json& record, std::string_view pointer_prefix,
                   std::vector<PrfProblem>* problems) {
  if (!record.is_object()) return;
  std::string prefix(pointer_prefix);
  std::string walk_pointer = prefix;
  CheckNpis(record, &walk_pointer, problems);
  CheckCalendarDates(record, &walk_pointer, problems);
  std::string_view type = record.StringOr("record");
  if (type == "plan_of_care") CheckPlanOfCare(record, prefix, problems);
  if (type == "referral") CheckReferral(record, prefix, problems);
  if (type == "medication_list") CheckMedicationList(record, prefix, problems);
}

Status CheckReferralTransition(std::string_view from, std::string_view to) {
  for (std::string_view status : {from, to}) {
    if (!IsReferralStatus(status)) {
      return InvalidArgumentError(
          "\"" + std::string(status) +
          "\" is not a referral status (received|accepted|declined|scheduled|in_progress|"
          "completed|cancelled)");
    }
  }
  if (from == to) return Status::Ok();
  std::string move = "a referral cannot move from " + std::string(from) + " to " + std::string(to);
  if (IsFinal(from)) return FailedPreconditionError(move + ": " + std::string(from) + " is final");
  if (to == "cancelled") return Status::Ok();
  if (to == "declined") {
    if (from == "received") return Status::Ok();
    return FailedPreconditionError(move + ": only a received referral can be declined");
  }
  if (*ForwardRank(to) > *ForwardRank(from)) return Status::Ok();
  return FailedPreconditionError(move + ": status only moves forward");
}

}  // namespace duet::mappings
