#include "mappings/education_mapper.h"

#include <gtest/gtest.h>

#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;
using testing::Fixture;
using testing::TestContext;

TEST(EducationMapperTest, EducationIsAnInstructionCommunication) {
  auto resources = EducationToFhir(Fixture("education.json"), TestContext());
  ASSERT_TRUE(resources.ok()) << resources.status().ToString();
  const Json& communication = resources->front();
  EXPECT_EQ(communication.StringOr("status"), "completed");
  EXPECT_EQ(communication.Find("category")->items()[0].Find("coding")->items()[0].StringOr("code"),
            "instruction");
  EXPECT_EQ(communication.StringOr("sent"), "2025-01-16T09:05:00-07:00");
  const Json& attachment = *communication.Find("payload")->items()[0].Find("contentAttachment");
  EXPECT_EQ(attachment.StringOr("url"), "https://learn.saguarorehab.example/tka/swelling");
  EXPECT_EQ(attachment.StringOr("title"),
            "Managing swelling after knee replacement: ice, elevation and compression");
  EXPECT_EQ(communication.Find("basedOn")->items()[0].StringOr("reference"),
            "CarePlan?identifier=https://sunrise-pt.example/sid/plan-of-care|POC-8812-1");
  EXPECT_EQ(testing::ValidationErrors(*resources), "");
}

TEST(EducationMapperTest, ReverseNeedsThePayload) {
  auto resources = EducationToFhir(Fixture("education.json"), TestContext());
  ASSERT_TRUE(resources.ok());
  resources->front().Remove("payload");
  auto back = EducationFromFhir(ResourceSet(*resources), "EDU-2025-01877", TestContext());
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("Communication.payload"), std::string::npos)
      << back.status().message();
}

}  // namespace
}  // namespace duet::mappings
