#include "mappings/plan_of_care_mapper.h"

#include <gtest/gtest.h>

#include "mappings/extensions.h"
#include "mappings/record_converter.h"
#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;
using testing::Fixture;
using testing::TestContext;

std::vector<Json> MapPlan(const Json& record) {
  return testing::ValueOrFail(PlanOfCareToFhir(record, TestContext()));
}

Json RoundTrip(const Json& record) {
  return testing::ValueOrFail(
      ToPractice(MapPlan(record), "plan_of_care", record.StringOr("id"), TestContext()));
}

std::vector<std::string> Codes(const Json& concepts) {
  std::vector<std::string> codes;
  for (const Json& concept_json : concepts.items()) {
    if (const Json* codings = concept_json.Find("coding")) {
      for (const Json& coding : codings->items()) codes.emplace_back(coding.StringOr("code"));
    }
  }
  return codes;
}

TEST(PlanOfCareMapperTest, OneCarePlanWithConditionsGoalsAndCareTeam) {
  std::vector<Json> resources = MapPlan(Fixture("plan_of_care.json"));
  EXPECT_EQ(resources[0].StringOr("resourceType"), "CarePlan");
  EXPECT_EQ(testing::CountType(resources, "Condition"), 3U);
  EXPECT_EQ(testing::CountType(resources, "Goal"), 3U);
  EXPECT_EQ(testing::CountType(resources, "CareTeam"), 1U);
  EXPECT_EQ(testing::ValidationErrors(resources), "");
}

TEST(PlanOfCareMapperTest, CarePlanFollowsUsCore) {
  Json plan = MapPlan(Fixture("plan_of_care.json")).front();
  EXPECT_EQ(plan.StringOr("status"), "active");
  EXPECT_EQ(plan.StringOr("intent"), "plan");
  EXPECT_EQ(Codes(*plan.Find("category")),
            (std::vector<std::string>{"assess-plan", "736055001", "91251008"}));
  EXPECT_EQ(plan.Find("period")->StringOr("start"), "2025-01-15");
  EXPECT_EQ(plan.Find("period")->StringOr("end"), "2025-03-12");
  EXPECT_EQ(plan.Find("text")->StringOr("status"), "generated");
  EXPECT_NE(plan.Find("text")->StringOr("div").find("Rehab potential: good"), std::string::npos);
  EXPECT_EQ(plan.Find("addresses")->items().size(), 3U);
  EXPECT_EQ(plan.Find("goal")->items().size(), 3U);
  EXPECT_EQ(plan.Find("supportingInfo")->items()[0].StringOr("reference"),
            "ServiceRequest?identifier=https://sunrise-pt.example/sid/referral|REF-2025-0117");
  EXPECT_EQ(plan.Find("author")->StringOr("reference"),
            "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1245319599");
}

TEST(PlanOfCareMapperTest, FrequencyAndInterventionsAreActivities) {
  Json plan = MapPlan(Fixture("plan_of_care.json")).front();
  const Json& activities = *plan.Find("activity");
  ASSERT_EQ(activities.items().size(), 6U);
  const Json& discipline = *activities.items()[0].Find("detail");
  EXPECT_EQ(discipline.Find("code")->Find("coding")->items()[0].StringOr("code"), "91251008");
  const Json& repeat = *discipline.Find("scheduledTiming")->Find("repeat");
  EXPECT_EQ(repeat.Find("frequency")->number_text(), "2");
  EXPECT_EQ(repeat.Find("boundsDuration")->Find("value")->number_text(), "8");
  const Json& manual = *activities.items()[3].Find("detail");
  EXPECT_EQ(manual.Find("code")->Find("coding")->items()[0].StringOr("code"), "97140");
  EXPECT_EQ(manual.StringOr("status"), "in-progress");
  EXPECT_EQ(activities.items()[2].Find("detail")->StringOr("status"), "not-started");
}

TEST(PlanOfCareMapperTest, DiagnosesKeepTheirRank) {
  std::vector<Json> resources = MapPlan(Fixture("plan_of_care.json"));
  const Json& second = resources[2];
  EXPECT_EQ(second.StringOr("resourceType"), "Condition");
  EXPECT_EQ(FindExtension(second, ext::kRank)->Find("valuePositiveInt")->number_text(), "2");
  EXPECT_EQ(second.Find("code")->Find("coding")->items()[0].StringOr("code"), "R26.89");
  EXPECT_EQ(Codes(*second.Find("category")), std::vector<std::string>{"encounter-diagnosis"});
  EXPECT_EQ(second.StringOr("onsetDateTime"), "2025-01-06");
}

TEST(PlanOfCareMapperTest, ShortTermGoalIsAMilestoneOfItsLongTermGoal) {
  std::vector<Json> resources = MapPlan(Fixture("plan_of_care.json"));
  const Json* ltg = testing::FindResource(resources, "Goal", "POC-8812-1/LTG1");
  const Json* stg = testing::FindResource(resources, "Goal", "POC-8812-1/STG1");
  ASSERT_NE(ltg, nullptr);
  ASSERT_NE(stg, nullptr);
  std::vector<const Json*> relationships = FindExtensions(*ltg, kGoalRelationshipUrl);
  ASSERT_EQ(relationships.size(), 1U);
  EXPECT_EQ(
      FindExtension(*relationships[0], "target")->Find("valueReference")->StringOr("reference"),
      "Goal?identifier=https://sunrise-pt.example/sid/goal|POC-8812-1/STG1");
  EXPECT_TRUE(FindExtensions(*stg, kGoalRelationshipUrl).empty());
  EXPECT_EQ(stg->StringOr("lifecycleStatus"), "active");
  EXPECT_EQ(stg->Find("target")->items()[0].Find("detailQuantity")->Find("value")->number_text(),
            "100");
  EXPECT_EQ(FindExtension(*stg, ext::kGoalTerm)->StringOr("valueCode"), "short");
}

TEST(PlanOfCareMapperTest, EveryGoalStatusRoundTrips) {
  struct Case {
    const char* status;
    const char* lifecycle;
  };
  for (const Case& c :
       {Case{"ongoing", "active"}, Case{"met", "completed"}, Case{"partially_met", "active"},
        Case{"not_met", "completed"}, Case{"discontinued", "cancelled"}}) {
    Json record = Fixture("plan_of_care.json");
    record.Find("goals")->items()[0].Set("status", Json::String(c.status));
    std::vector<Json> resources = MapPlan(record);
    EXPECT_EQ(
        testing::FindResource(resources, "Goal", "POC-8812-1/STG1")->StringOr("lifecycleStatus"),
        c.lifecycle);
    EXPECT_EQ(RoundTrip(record), record) << c.status;
  }
}

TEST(PlanOfCareMapperTest, RecertificationReplacesThePreviousPlan) {
  Json record = Fixture("plan_of_care.json");
  record.Set("id", Json::String("POC-8812-2"));
  record.Set("replaces", Json::String("POC-8812-1"));
  record.Find("frequency")->Set("per_day", Json::Integer(2));
  Json plan = MapPlan(record).front();
  EXPECT_EQ(plan.Find("replaces")->items()[0].StringOr("reference"),
            "CarePlan?identifier=https://sunrise-pt.example/sid/plan-of-care|POC-8812-1");
  EXPECT_EQ(RoundTrip(record), record);
}

TEST(PlanOfCareMapperTest, SupportsMustNameAGoalOfThePlan) {
  Json record = Fixture("plan_of_care.json");
  record.Find("goals")->items()[0].Set("supports", Json::String("LTG9"));
  auto resources = PlanOfCareToFhir(record, TestContext());
  ASSERT_FALSE(resources.ok());
  EXPECT_NE(resources.status().message().find("/goals/0/supports"), std::string::npos)
      << resources.status().message();
}

TEST(PlanOfCareMapperTest, ReverseReportsAnUnresolvableCondition) {
  std::vector<Json> resources = MapPlan(Fixture("plan_of_care.json"));
  resources.erase(resources.begin() + 1);
  auto back = ToPractice(resources, "plan_of_care", "POC-8812-1", TestContext());
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("CarePlan.addresses[0]"), std::string::npos)
      << back.status().message();
}

}  // namespace
}  // namespace duet::mappings
