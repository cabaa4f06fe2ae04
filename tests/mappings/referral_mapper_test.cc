#include "mappings/referral_mapper.h"

#include <gtest/gtest.h>

#include "mappings/extensions.h"
#include "mappings/record_converter.h"
#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;
using testing::Fixture;
using testing::TestContext;

std::vector<Json> MapReferral(const Json& record) {
  return testing::ValueOrFail(ReferralToFhir(record, TestContext()));
}

Json RoundTrip(const Json& record) {
  return testing::ValueOrFail(
      ToPractice(MapReferral(record), "referral", record.StringOr("id"), TestContext()));
}

TEST(ReferralMapperTest, ServiceRequestCarriesTheOrder) {
  std::vector<Json> resources = MapReferral(Fixture("referral.json"));
  ASSERT_EQ(resources.size(), 2U);
  const Json& request = resources[0];
  EXPECT_EQ(request.StringOr("resourceType"), "ServiceRequest");
  EXPECT_EQ(request.StringOr("status"), "active");
  EXPECT_EQ(request.StringOr("intent"), "order");
  EXPECT_EQ(request.StringOr("priority"), "routine");
  EXPECT_EQ(request.StringOr("authoredOn"), "2025-01-08");
  EXPECT_EQ(request.Find("category")->items()[0].Find("coding")->items()[0].StringOr("code"),
            "3457005");
  const Json& code = *request.Find("code");
  EXPECT_EQ(code.Find("coding")->items()[0].StringOr("code"), "91251008");
  EXPECT_EQ(code.StringOr("text"), "PT eval and treat");
  const Json& reasons = *request.Find("reasonCode");
  ASSERT_EQ(reasons.items().size(), 2U);
  EXPECT_EQ(reasons.items()[0].Find("coding")->items()[0].StringOr("code"), "M17.11");
  EXPECT_EQ(reasons.items()[1].Find("coding")->items()[0].StringOr("system"),
            "http://hl7.org/fhir/sid/icd-10-cm");
  EXPECT_EQ(request.Find("quantityQuantity")->Find("value")->number_text(), "12");
  const Json& repeat = *request.Find("occurrenceTiming")->Find("repeat");
  EXPECT_EQ(repeat.Find("frequency")->number_text(), "2");
  EXPECT_EQ(repeat.StringOr("periodUnit"), "wk");
  EXPECT_EQ(repeat.Find("boundsDuration")->Find("value")->number_text(), "6");
  EXPECT_EQ(request.Find("requester")->StringOr("reference"),
            "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893");
  EXPECT_EQ(request.Find("performer")->items()[0].Find("identifier")->StringOr("value"),
            "1987654328");
  EXPECT_EQ(testing::ValidationErrors(resources), "");
}

TEST(ReferralMapperTest, TaskCarriesTheWorkflowState) {
  Json task = MapReferral(Fixture("referral.json"))[1];
  EXPECT_EQ(task.StringOr("resourceType"), "Task");
  EXPECT_EQ(task.StringOr("status"), "in-progress");
  EXPECT_EQ(task.StringOr("intent"), "order");
  EXPECT_EQ(task.Find("code")->Find("coding")->items()[0].StringOr("code"), "fulfill");
  EXPECT_EQ(task.Find("focus")->StringOr("reference"),
            "ServiceRequest?identifier=https://sunrise-pt.example/sid/referral|REF-2025-0117");
  EXPECT_EQ(task.Find("owner")->Find("identifier")->StringOr("value"), "1987654328");
}

TEST(ReferralMapperTest, ScheduledIsAnAcceptedTaskWithBusinessStatus) {
  Json record = Fixture("referral-outbound.json");
  Json task = MapReferral(record)[1];
  EXPECT_EQ(task.StringOr("status"), "accepted");
  EXPECT_EQ(task.Find("businessStatus")->StringOr("text"), "scheduled");
  EXPECT_EQ(RoundTrip(record), record);
}

TEST(ReferralMapperTest, DeclinedIsARejectedTaskWithItsReason) {
  Json record = Fixture("referral.json");
  record.Set("status", Json::String("declined"));
  record.Set("status_reason", Json::String("payer out of network"));
  std::vector<Json> resources = MapReferral(record);
  EXPECT_EQ(resources[0].StringOr("status"), "revoked");
  EXPECT_EQ(resources[1].StringOr("status"), "rejected");
  EXPECT_EQ(resources[1].Find("statusReason")->StringOr("text"), "payer out of network");
  EXPECT_EQ(RoundTrip(record), record);
}

TEST(ReferralMapperTest, EveryStatusRoundTrips) {
  for (const char* status :
       {"received", "accepted", "declined", "scheduled", "in_progress", "completed", "cancelled"}) {
    Json record = Fixture("referral.json");
    record.Set("status", Json::String(status));
    EXPECT_EQ(RoundTrip(record), record) << status;
  }
}

TEST(ReferralMapperTest, PayerAuthorizationIsKeptInAnExtensionAndTheNarrative) {
  Json record = Fixture("referral.json");
  record.Set("authorization",
             testing::ParseOrDie(R"({"number":"AUTH-77","visits":12,"start":"2025-01-15",)"
                                 R"("end":"2025-03-15"})"));
  std::vector<Json> resources = MapReferral(record);
  EXPECT_NE(FindExtension(resources[0], ext::kAuthorization), nullptr);
  EXPECT_NE(resources[0].Find("text")->StringOr("div").find("AUTH-77"), std::string::npos);
  EXPECT_EQ(testing::ValidationErrors(resources), "");
  EXPECT_EQ(RoundTrip(record), record);
}

TEST(ReferralMapperTest, ReverseNeedsTheTask) {
  std::vector<Json> resources = MapReferral(Fixture("referral.json"));
  resources.pop_back();
  auto back = ToPractice(resources, "referral", "REF-2025-0117", TestContext());
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("Task"), std::string::npos);
}

TEST(ReferralMapperTest, RefusesMissingMembersNamingEach) {
  Json record = Fixture("referral.json");
  record.Remove("patient_mrn");
  record.Set("diagnoses", Json::MakeArray());
  auto resources = ReferralToFhir(record, TestContext());
  ASSERT_FALSE(resources.ok());
  EXPECT_NE(resources.status().message().find("/patient_mrn: is required"), std::string::npos)
      << resources.status().message();
  EXPECT_NE(resources.status().message().find("/diagnoses"), std::string::npos);
}

}  // namespace
}  // namespace duet::mappings
