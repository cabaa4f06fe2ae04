#include "mappings/nps_response_mapper.h"

#include <gtest/gtest.h>

#include "mappings/extensions.h"
#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;
using testing::Fixture;
using testing::TestContext;

TEST(NpsResponseMapperTest, ScoreIsAnIntegerAnswerToThePublishedQuestionnaire) {
  auto resources = NpsResponseToFhir(Fixture("nps_response.json"), TestContext());
  ASSERT_TRUE(resources.ok()) << resources.status().ToString();
  const Json& response = (*resources)[0];
  EXPECT_EQ(response.StringOr("questionnaire"), kNpsQuestionnaireUrl);
  EXPECT_EQ(response.StringOr("status"), "completed");
  EXPECT_EQ(response.StringOr("authored"), "2025-02-05T18:42:10-07:00");
  const Json& score = response.Find("item")->items()[0];
  EXPECT_EQ(score.StringOr("linkId"), "score");
  EXPECT_EQ(score.Find("answer")->items()[0].Find("valueInteger")->number_text(), "9");
  EXPECT_EQ(response.Find("identifier")->StringOr("value"), "NPS-2025-00391");
  EXPECT_EQ(testing::ValidationErrors(*resources), "");
}

TEST(NpsResponseMapperTest, QuestionnaireBoundsTheScoreAndIsTheSameEveryTime) {
  Json questionnaire = NpsQuestionnaire(TestContext());
  EXPECT_EQ(testing::ValidationErrors({questionnaire}), "");
  const Json& score = questionnaire.Find("item")->items()[0];
  EXPECT_EQ(FindExtension(score, kMinValueUrl)->Find("valueInteger")->number_text(), "0");
  EXPECT_EQ(FindExtension(score, kMaxValueUrl)->Find("valueInteger")->number_text(), "10");
  EXPECT_EQ(questionnaire, NpsQuestionnaire(TestContext()));
}

TEST(NpsResponseMapperTest, RefusesAScoreOutOfRange) {
  Json record = Fixture("nps_response.json");
  record.Set("score", Json::Integer(11));
  auto resources = NpsResponseToFhir(record, TestContext());
  ASSERT_FALSE(resources.ok());
  EXPECT_NE(resources.status().message().find("/score"), std::string::npos);
}

}  // namespace
}  // namespace duet::mappings
