#include "mappings/prf_checks.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace duet::mappings {
namespace {

namespace fs = std::filesystem;
using fhir::Json;

const fs::path kExamples = fs::path(DUET_FIXTURES_DIR) / "prf";

Json LoadExample(const std::string& name) {
  std::ifstream in(kExamples / name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  StatusOr<Json> parsed = fhir::ParseJson(text.str());
  EXPECT_TRUE(parsed.ok()) << name << ": " << parsed.status().ToString();
  return parsed.ok() ? *parsed : Json();
}

// The value at a simple JSON pointer (no escapes), for mutating an example.
Json& At(Json& root, const std::string& pointer) {
  Json* value = &root;
  size_t start = 1;
  while (start <= pointer.size() && !pointer.empty()) {
    size_t end = pointer.find('/', start);
    if (end == std::string::npos) end = pointer.size();
    std::string token = pointer.substr(start, end - start);
    if (value->is_array()) {
      value = &value->items().at(std::stoul(token));
    } else {
      value = value->Find(token);
    }
    if (value == nullptr) throw std::runtime_error("no value at " + pointer);
    start = end + 1;
  }
  return *value;
}

std::vector<PrfProblem> Rules(const Json& record, std::string_view prefix = "") {
  std::vector<PrfProblem> problems;
  CheckPrfRules(record, prefix, &problems);
  return problems;
}

TEST(PrfChecksTest, EveryExampleKeepsTheRules) {
  size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(kExamples)) {
    if (entry.path().extension() != ".json") continue;
    Json record = LoadExample(entry.path().filename().string());
    if (record.StringOr("record") == "batch") {
      for (const Json& item : record.Find("records")->items()) {
        EXPECT_EQ(Rules(item), std::vector<PrfProblem>{}) << entry.path();
      }
    } else {
      EXPECT_EQ(Rules(record), std::vector<PrfProblem>{}) << entry.path();
    }
    ++checked;
  }
  EXPECT_GE(checked, 18u);
}

TEST(PrfChecksTest, NpiCheckDigitAtAnyDepth) {
  Json plan = LoadExample("plan_of_care.json");
  At(plan, "/therapist_npi") = Json::String("1245319590");
  At(plan, "/certification/physician_npi") = Json::String("1234567890");
  At(plan, "/care_team/1/npi") = Json::String("1234567894");
  EXPECT_EQ(Rules(plan),
            (std::vector<PrfProblem>{
                {"/therapist_npi",
                 "NPI \"1245319590\" fails the check digit (with these first nine digits it ends "
                 "in 9)"},
                {"/certification/physician_npi",
                 "NPI \"1234567890\" fails the check digit (with these first nine digits it ends "
                 "in 3)"},
                {"/care_team/1/npi",
                 "NPI \"1234567894\" fails the check digit (with these first nine digits it ends "
                 "in 3)"},
            }));

  Json provider = LoadExample("provider.json");
  At(provider, "/organization/npi") = Json::String("1987654321");
  std::vector<PrfProblem> problems = Rules(provider, "/records/4");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].pointer, "/records/4/organization/npi");
}

TEST(PrfChecksTest, NpiOfTheWrongShapeIsLeftToTheSchema) {
  Json provider = LoadExample("provider.json");
  At(provider, "/npi") = Json::String("124531959");
  EXPECT_EQ(Rules(provider), std::vector<PrfProblem>{});
  At(provider, "/npi") = Json::Integer(1245319590);
  EXPECT_EQ(Rules(provider), std::vector<PrfProblem>{});
}

TEST(PrfChecksTest, CalendarValidityOfDatesAndInstants) {
  Json plan = LoadExample("plan_of_care.json");
  At(plan, "/diagnoses/1/onset") = Json::String("2025-02-29");
  At(plan, "/goals/2/target_date") = Json::String("2025-04-31");
  At(plan, "/updated_at") = Json::String("2025-02-30T16:05:00-07:00");
  EXPECT_EQ(
      Rules(plan),
      (std::vector<PrfProblem>{
          {"/diagnoses/1/onset", "\"2025-02-29\" is not a valid date: February 2025 has 28 days"},
          {"/goals/2/target_date", "\"2025-04-31\" is not a valid date: April 2025 has 30 days"},
          {"/updated_at", "\"2025-02-30\" is not a valid date: February 2025 has 28 days"},
      }));

  At(plan, "/diagnoses/1/onset") = Json::String("2024-02-29");  // a leap year
  At(plan, "/goals/2/target_date") = Json::String("2025-04-30");
  At(plan, "/updated_at") = Json::String("2025-03-31T16:05:00Z");
  EXPECT_EQ(Rules(plan), std::vector<PrfProblem>{});
}

TEST(PrfChecksTest, OutOfRangeMonthsAndFreeTextAreLeftAlone) {
  Json referral = LoadExample("referral.json");
  At(referral, "/ordered_on") = Json::String("2025-13-01");  // the schema pattern's problem
  At(referral, "/notes") = Json::String("2025-02-30 is when she fell");
  EXPECT_EQ(Rules(referral), std::vector<PrfProblem>{});
}

TEST(PrfChecksTest, CertificationDatesInOrder) {
  Json plan = LoadExample("plan_of_care.json");
  At(plan, "/certification/to") = Json::String("2025-01-14");
  At(plan, "/start_of_care") = Json::String("2025-01-16");
  At(plan, "/certification/signed_on") = Json::String("2025-01-14");
  EXPECT_EQ(Rules(plan),
            (std::vector<PrfProblem>{
                {"/certification/to",
                 "certification.to 2025-01-14 is before certification.from 2025-01-15"},
                {"/certification/from",
                 "certification.from 2025-01-15 is before start_of_care 2025-01-16"},
                {"/certification/signed_on",
                 "certification.signed_on 2025-01-14 is before certification.sent_on 2025-01-15"},
            }));
}

TEST(PrfChecksTest, OneDayCertificationIsAllowed) {
  Json plan = LoadExample("plan_of_care.json");
  At(plan, "/certification/to") = Json::String("2025-01-15");
  EXPECT_EQ(Rules(plan), std::vector<PrfProblem>{});
}

TEST(PrfChecksTest, DateOrderSkipsDatesThatAreNotDates) {
  Json plan = LoadExample("plan_of_care.json");
  At(plan, "/start_of_care") = Json::String("01/15/2025");
  At(plan, "/certification/to") = Json::String("2025-02-30");
  EXPECT_EQ(
      Rules(plan),
      (std::vector<PrfProblem>{
          {"/certification/to", "\"2025-02-30\" is not a valid date: February 2025 has 28 days"},
      }));
}

TEST(PrfChecksTest, AuthorizationAndFillDatesInOrder) {
  Json referral = LoadExample("referral.json");
  Json authorization = Json::MakeObject();
  authorization.Set("number", Json::String("AUTH-1"));
  authorization.Set("visits", Json::Integer(12));
  authorization.Set("start", Json::String("2025-02-01"));
  authorization.Set("end", Json::String("2025-01-31"));
  referral.Set("authorization", authorization);
  EXPECT_EQ(Rules(referral),
            (std::vector<PrfProblem>{
                {"/authorization/end",
                 "authorization.end 2025-01-31 is before authorization.start 2025-02-01"},
            }));

  Json medications = LoadExample("medication_list.json");
  At(medications, "/medications/0/last_fill") = Json::String("2024-11-01");
  EXPECT_EQ(
      Rules(medications),
      (std::vector<PrfProblem>{
          {"/medications/0/last_fill", "last_fill 2024-11-01 is before first_fill 2024-11-02"},
      }));
}

TEST(PrfChecksTest, GoalIdsAreUniqueWithinThePlan) {
  Json plan = LoadExample("plan_of_care.json");
  At(plan, "/goals/2/id") = Json::String("LTG1");
  EXPECT_EQ(Rules(plan), (std::vector<PrfProblem>{
                             {"/goals/2/id", "goal id \"LTG1\" is already used by /goals/1/id"},
                         }));
}

TEST(PrfChecksTest, SupportsNamesALongTermGoalOfThePlan) {
  Json plan = LoadExample("plan_of_care.json");
  At(plan, "/goals/0/supports") = Json::String("LTG9");
  EXPECT_EQ(Rules(plan), (std::vector<PrfProblem>{
                             {"/goals/0/supports", "names no goal of this plan: \"LTG9\""},
                         }));

  At(plan, "/goals/0/supports") = Json::String("STG1");  // itself, a short-term goal
  EXPECT_EQ(Rules(plan), (std::vector<PrfProblem>{
                             {"/goals/0/supports",
                              "names goal \"STG1\", which is a short-term goal; a short-term goal "
                              "supports a long-term goal"},
                         }));

  plan = LoadExample("plan_of_care.json");
  At(plan, "/goals/2").Set("supports", Json::String("LTG1"));
  EXPECT_EQ(Rules(plan), (std::vector<PrfProblem>{
                             {"/goals/2/supports",
                              "a long-term goal cannot support another goal; only short-term "
                              "goals do"},
                         }));
}

TEST(PrfChecksTest, PlanCannotReplaceItself) {
  Json plan = LoadExample("plan_of_care.json");
  plan.Set("replaces", Json::String("POC-8812-0"));
  EXPECT_EQ(Rules(plan), std::vector<PrfProblem>{});
  plan.Set("replaces", Json::String("POC-8812-1"));
  EXPECT_EQ(Rules(plan), (std::vector<PrfProblem>{
                             {"/replaces",
                              "a plan cannot replace itself (replaces equals its id "
                              "\"POC-8812-1\")"},
                         }));
}

TEST(PrfChecksTest, CertificationStatusAgreesWithItsDates) {
  Json plan = LoadExample("plan_of_care.json");
  At(plan, "/certification").Remove("signed_on");
  EXPECT_EQ(
      Rules(plan),
      (std::vector<PrfProblem>{
          {"/certification/signed_on", "a certification with status \"signed\" needs signed_on"},
      }));

  Json ot_plan = LoadExample("plan_of_care-ot.json");  // status sent
  At(ot_plan, "/certification").Remove("sent_on");
  EXPECT_EQ(Rules(ot_plan),
            (std::vector<PrfProblem>{
                {"/certification/sent_on", "a certification with status \"sent\" needs sent_on"},
            }));

  ot_plan = LoadExample("plan_of_care-ot.json");
  At(ot_plan, "/certification/status") = Json::String("not_sent");
  EXPECT_EQ(
      Rules(ot_plan),
      (std::vector<PrfProblem>{
          {"/certification/sent_on", "a certification with status \"not_sent\" has no sent_on"},
      }));

  plan = LoadExample("plan_of_care.json");
  At(plan, "/certification/status") = Json::String("sent");
  EXPECT_EQ(Rules(plan), (std::vector<PrfProblem>{
                             {"/certification/signed_on",
                              "signed_on is set but the certification status is \"sent\" (only "
                              "\"signed\" or \"expired\" carry a signature date)"},
                         }));
  At(plan, "/certification/status") = Json::String("expired");
  EXPECT_EQ(Rules(plan), std::vector<PrfProblem>{});
}

TEST(PrfChecksTest, RulesIgnoreMembersOfTheWrongKind) {
  Json plan = LoadExample("plan_of_care.json");
  At(plan, "/certification") = Json::String("signed");
  At(plan, "/goals") = Json::MakeObject();
  plan.Set("replaces", Json::Integer(1));
  EXPECT_EQ(Rules(plan), std::vector<PrfProblem>{});
  EXPECT_EQ(Rules(Json::MakeArray()), std::vector<PrfProblem>{});
}

TEST(ReferralTransitionTest, ForwardMovesAreAllowed) {
  const std::vector<std::pair<const char*, const char*>> allowed = {
      {"received", "accepted"},     {"received", "declined"},     {"accepted", "scheduled"},
      {"scheduled", "in_progress"}, {"in_progress", "completed"}, {"received", "scheduled"},
      {"accepted", "completed"},    {"received", "cancelled"},    {"accepted", "cancelled"},
      {"scheduled", "cancelled"},   {"in_progress", "cancelled"}, {"completed", "completed"},
      {"declined", "declined"},     {"received", "received"},
  };
  for (const auto& [from, to] : allowed) {
    EXPECT_TRUE(CheckReferralTransition(from, to).ok()) << from << " -> " << to;
  }
}

TEST(ReferralTransitionTest, BackwardAndFinalMovesAreRefused) {
  const std::vector<std::pair<const char*, const char*>> refused = {
      {"accepted", "received"},   {"in_progress", "scheduled"}, {"completed", "in_progress"},
      {"completed", "cancelled"}, {"declined", "accepted"},     {"declined", "cancelled"},
      {"cancelled", "received"},  {"accepted", "declined"},     {"scheduled", "declined"},
  };
  for (const auto& [from, to] : refused) {
    Status status = CheckReferralTransition(from, to);
    EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << from << " -> " << to;
  }
  EXPECT_EQ(CheckReferralTransition("completed", "cancelled").message(),
            "a referral cannot move from completed to cancelled: completed is final");
  EXPECT_EQ(CheckReferralTransition("scheduled", "accepted").message(),
            "a referral cannot move from scheduled to accepted: status only moves forward");
  EXPECT_EQ(CheckReferralTransition("accepted", "declined").message(),
            "a referral cannot move from accepted to declined: only a received referral can be "
            "declined");
}

TEST(ReferralTransitionTest, UnknownStatusIsInvalidArgument) {
  Status status = CheckReferralTransition("received", "done");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "\"done\" is not a referral status (received|accepted|declined|scheduled|in_progress|"
            "completed|cancelled)");
  EXPECT_EQ(CheckReferralTransition("open", "open").code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace duet::mappings
