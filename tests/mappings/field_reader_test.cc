#include "mappings/field_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace duet::mappings {
namespace {

fhir::Json Parse(const std::string& text) { return *fhir::ParseJson(text); }

TEST(FieldReaderTest, PathsOfMembersAndItemsInBothStyles) {
  fhir::Json json = Parse(R"({"goals":[{"id":"g1"}]})");
  Problems problems;
  FieldReader record(&json, "", PathStyle::kJsonPointer, &problems);
  EXPECT_EQ(record.PathOf("goals"), "/goals");
  EXPECT_EQ(record.PathOf("goals", 12), "/goals/12");
  EXPECT_EQ(record.Objects("goals")[0].PathOf("target"), "/goals/0/target");

  FieldReader resource(&json, "CarePlan", PathStyle::kFhirPath, &problems);
  EXPECT_EQ(resource.PathOf("goal"), "CarePlan.goal");
  EXPECT_EQ(resource.PathOf("goal", 3), "CarePlan.goal[3]");
  EXPECT_EQ(resource.Objects("goals")[0].PathOf("id", 0), "CarePlan.goals[0].id[0]");
  FieldReader root(&json, "", PathStyle::kFhirPath, &problems);
  EXPECT_EQ(root.PathOf("goal", 0), "goal[0]");
  EXPECT_TRUE(problems.empty());
}

TEST(FieldReaderTest, LongPathsAndLargeIndexes) {
  fhir::Json json = Parse(R"({"interventions":[{"id":"i1"}]})");
  Problems problems;
  FieldReader batch(&json, "/records/123456/plan_of_care", PathStyle::kJsonPointer, &problems);
  EXPECT_EQ(batch.PathOf("interventions", 9876543210),
            "/records/123456/plan_of_care/interventions/9876543210");
  EXPECT_EQ(batch.Objects("interventions")[0].PathOf("cpt"),
            "/records/123456/plan_of_care/interventions/0/cpt");
  EXPECT_EQ(batch.Object("missing").path(), "/records/123456/plan_of_care/missing");
  EXPECT_EQ(problems.lines(),
            std::vector<std::string>{"/records/123456/plan_of_care/missing: is required"});
}

TEST(FieldReaderTest, ReportsEveryProblemWithItsPath) {
  fhir::Json json = Parse(R"({"goals":[{"id":""},{"id":7},"text"],"status":"maybe"})");
  Problems problems;
  FieldReader record(&json, "", PathStyle::kJsonPointer, &problems);
  for (const FieldReader& goal : record.Objects("goals")) goal.String("id");
  record.Enum("status", {"active", "completed"});
  record.String("title");
  EXPECT_EQ(problems.lines(),
            (std::vector<std::string>{
                "/goals/2: expected an object, found string", "/goals/0/id: must not be empty",
                "/goals/1/id: expected a string, found number",
                "/status: \"maybe\" is not one of active, completed", "/title: is required"}));
}

}  // namespace
}  // namespace duet::mappings
