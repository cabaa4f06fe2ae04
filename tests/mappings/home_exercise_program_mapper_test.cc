#include "mappings/home_exercise_program_mapper.h"

#include <gtest/gtest.h>

#include "mappings/extensions.h"
#include "mappings/record_converter.h"
#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;
using testing::Fixture;
using testing::TestContext;

std::vector<Json> MapProgram(const Json& record) {
  return testing::ValueOrFail(HomeExerciseProgramToFhir(record, TestContext()));
}

const Json& Detail(const Json& plan, size_t index) {
  return *plan.Find("activity")->items()[index].Find("detail");
}

TEST(HomeExerciseProgramMapperTest, ProgramIsAnExerciseTherapyCarePlanBasedOnThePlanOfCare) {
  std::vector<Json> resources = MapProgram(Fixture("home_exercise_program.json"));
  ASSERT_EQ(resources.size(), 3U);
  const Json& plan = resources[0];
  EXPECT_EQ(plan.Find("category")->items()[1].Find("coding")->items()[0].StringOr("code"),
            "229065009");
  EXPECT_EQ(plan.Find("basedOn")->items()[0].StringOr("reference"),
            "CarePlan?identifier=https://sunrise-pt.example/sid/plan-of-care|POC-8812-1");
  EXPECT_EQ(plan.Find("period")->StringOr("start"), "2025-01-15");
  EXPECT_EQ(testing::ValidationErrors(resources), "");
}

TEST(HomeExerciseProgramMapperTest, DoseIsAnExtensionAndRenderedInTheNarrative) {
  Json plan = MapProgram(Fixture("home_exercise_program.json")).front();
  const Json* dose = FindExtension(Detail(plan, 0), ext::kExerciseDose);
  ASSERT_NE(dose, nullptr);
  EXPECT_EQ(FindExtension(*dose, "sets")->Find("valuePositiveInt")->number_text(), "2");
  EXPECT_EQ(FindExtension(*dose, "reps")->Find("valuePositiveInt")->number_text(), "10");
  EXPECT_EQ(FindExtension(*dose, "hold")->Find("valueQuantity")->StringOr("code"), "s");
  EXPECT_NE(plan.Find("text")->StringOr("div").find("2 sets x 10 reps, hold 5 s"),
            std::string::npos)
      << plan.Find("text")->StringOr("div");
}

TEST(HomeExerciseProgramMapperTest, ScheduleIsATiming) {
  Json plan = MapProgram(Fixture("home_exercise_program.json")).front();
  const Json& every_day = *Detail(plan, 0).Find("scheduledTiming")->Find("repeat");
  EXPECT_EQ(every_day.Find("frequency")->number_text(), "2");
  EXPECT_EQ(every_day.StringOr("periodUnit"), "d");
  EXPECT_EQ(every_day.Find("dayOfWeek"), nullptr);
  const Json& some_days = *Detail(plan, 1).Find("scheduledTiming")->Find("repeat");
  ASSERT_NE(some_days.Find("dayOfWeek"), nullptr);
  EXPECT_EQ(some_days.Find("dayOfWeek")->items().size(), 3U);
  EXPECT_EQ(Detail(plan, 1).StringOr("description"),
            "Sit on a firm chair, scoot forward, feet flat. Stand up without using your hands if "
            "you can, then sit down slowly.");
}

TEST(HomeExerciseProgramMapperTest, ExerciseLibraryItemIsAnActivityDefinitionWithTheVideo) {
  std::vector<Json> resources = MapProgram(Fixture("home_exercise_program.json"));
  const Json& definition = resources[1];
  EXPECT_EQ(definition.StringOr("resourceType"), "ActivityDefinition");
  EXPECT_EQ(definition.StringOr("url"), "https://sunrise-pt.example/sid/exercise/EX-0412");
  EXPECT_EQ(definition.Find("relatedArtifact")->items()[0].StringOr("url"),
            "https://hep.saguarorehab.example/v/EX-0412");
  EXPECT_EQ(Detail(resources[0], 0).Find("instantiatesCanonical")->items()[0].string_value(),
            definition.StringOr("url"));
}

TEST(HomeExerciseProgramMapperTest, AllSevenDaysStayDistinctFromEveryDay) {
  Json record = Fixture("home_exercise_program.json");
  record.Find("exercises")
      ->items()[1]
      .Set("days", testing::ParseOrDie(R"(["sun","mon","tue","wed","thu","fri","sat"])"));
  record.Find("exercises")
      ->items()[0]
      .Set("load", testing::ParseOrDie(R"({"value":2.50,"unit":"kg"})"));
  auto back = ToPractice(MapProgram(record), "home_exercise_program", "HEP-30021", TestContext());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, record) << fhir::WriteJson(*back, true);
}

TEST(HomeExerciseProgramMapperTest, RefusesBadDays) {
  Json record = Fixture("home_exercise_program.json");
  record.Find("exercises")->items()[0].Set("days", Json::String("daily"));
  auto resources = HomeExerciseProgramToFhir(record, TestContext());
  ASSERT_FALSE(resources.ok());
  EXPECT_NE(resources.status().message().find("/exercises/0/days"), std::string::npos)
      << resources.status().message();
}

}  // namespace
}  // namespace duet::mappings
