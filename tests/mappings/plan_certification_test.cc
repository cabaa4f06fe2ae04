#include "mappings/plan_certification.h"

#include <gtest/gtest.h>

#include "mappings/plan_of_care_mapper.h"
#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;

Json SentPlan() {
  auto resources =
      PlanOfCareToFhir(testing::ReadJsonFile(testing::PrfFixtures() / "plan_of_care-ot.json"),
                       testing::TestContext());
  EXPECT_TRUE(resources.ok()) << resources.status().ToString();
  return resources.ok() ? resources->front() : Json();
}

TEST(PlanCertificationTest, ReadsTheCertificationExtension) {
  std::optional<PlanCertification> certification = ReadPlanCertification(SentPlan());
  ASSERT_TRUE(certification.has_value());
  EXPECT_EQ(certification->status, "sent");
  EXPECT_EQ(certification->sent_on, "2025-01-16");
  EXPECT_EQ(certification->signed_on, "");
  ASSERT_NE(certification->physician, nullptr);
  EXPECT_FALSE(ReadPlanCertification(Json::MakeObject()).has_value());
}

TEST(PlanCertificationTest, SigningChangesExtensionAndNarrativeButNotTheClinicalContent) {
  Json plan = SentPlan();
  Json signed_plan = plan;
  ASSERT_TRUE(SetPlanCertification(signed_plan, "signed", "2025-01-20"));
  EXPECT_EQ(ReadPlanCertification(signed_plan)->status, "signed");
  EXPECT_EQ(ReadPlanCertification(signed_plan)->signed_on, "2025-01-20");
  std::string div(signed_plan.Find("text")->StringOr("div"));
  EXPECT_NE(div.find("Physician certification: signed, sent 2025-01-16, signed 2025-01-20</li>"),
            std::string::npos)
      << div;
  EXPECT_TRUE(SameClinicalContent(plan, signed_plan));
  ASSERT_TRUE(SetPlanCertification(signed_plan, "sent", ""));
  EXPECT_EQ(ReadPlanCertification(signed_plan)->signed_on, "");

  Json edited = plan;
  edited.Set("status", Json::String("on-hold"));
  EXPECT_FALSE(SameClinicalContent(plan, edited));
  Json not_a_plan = Json::MakeObject();
  EXPECT_FALSE(SetPlanCertification(not_a_plan, "signed", "2025-01-20"));
}

TEST(PlanCertificationTest, TheRequestTaskNamesTheVersionAndIsDueThirtyDaysAfterStartOfCare) {
  std::optional<Json> task =
      CertificationRequestTask(SentPlan(), "CarePlan/abc/_history/2", "2", testing::TestContext());
  ASSERT_TRUE(task.has_value());
  EXPECT_TRUE(IsApproveTask(*task));
  EXPECT_EQ(task->StringOr("status"), "requested");
  EXPECT_EQ(task->Find("focus")->StringOr("reference"), "CarePlan/abc/_history/2");
  EXPECT_EQ(task->Find("identifier")->items()[0].StringOr("value"), "POC-8813-1/2");
  EXPECT_EQ(task->Find("restriction")->Find("period")->StringOr("end"), "2025-02-15");
  EXPECT_EQ(task->Find("owner")->StringOr("reference"),
            "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893");
  std::vector<fhir::ValidationIssue> issues = fhir::Validator().Validate(*task);
  EXPECT_FALSE(fhir::HasErrors(issues));
}

}  // namespace
}  // namespace duet::mappings
