// MergePracticeOwnedFields: what of the practice's Task goes onto the partner's copy.
#include "gateway/sync/referral_status_merge.h"

#include <gtest/gtest.h>

#include "tests/support/fhir_test_util.h"

namespace duet::gateway {
namespace {

using fhir::Json;

// The partner's Task of the scenario 2 referral, as the partner stores it.
Json PartnerTask(const std::string& status) {
  Json task = test::ParseOrFail(R"({"resourceType":"Task","id":"task-77812",
      "meta":{"versionId":"4"},
      "identifier":[{"system":"https://evim.example/referral-tasks","value":"EVIM-77812-T"}],
      "status":"requested","intent":"order",
      "focus":{"reference":"ServiceRequest/sr-77812"},
      "owner":{"reference":"Organization/org-sunrise"},
      "note":[{"text":"Patient prefers mornings"}]})");
  task.Set("status", Json::String(status));
  return task;
}

Json LocalTask(const std::string& status, const std::string& extra = "{}") {
  Json task = test::ParseOrFail(R"({"resourceType":"Task","id":"local-1","status":"requested",
      "intent":"order","focus":{"reference":"ServiceRequest/local-sr"}})");
  task.Set("status", Json::String(status));
  Json changes = test::ParseOrFail(extra);
  for (const auto& [key, value] : changes.members()) task.Set(key, value);
  return task;
}

// FHIR-MAPPING.md scenario 8: the partner is in-progress, the practice only scheduled.
TEST(ReferralStatusMergeTest, OnlyWhatThePracticeChangedIsApplied) {
  auto merged = MergePracticeOwnedFields(
      PartnerTask("in-progress"),
      LocalTask("accepted", R"({"businessStatus":{"text":"scheduled"}})"), "accepted");
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_TRUE(merged->changed);
  EXPECT_EQ(merged->task.StringOr("status"), "in-progress");
  EXPECT_EQ(merged->task.Find("businessStatus")->StringOr("text"), "scheduled");
  EXPECT_EQ(merged->task.Find("owner")->StringOr("reference"), "Organization/org-sunrise");
  EXPECT_EQ(merged->task.Find("focus")->StringOr("reference"), "ServiceRequest/sr-77812");
  EXPECT_NE(fhir::WriteJson(merged->task).find("Patient prefers mornings"), std::string::npos);
}

TEST(ReferralStatusMergeTest, APracticeStatusChangeGoesAlongTheStateMachine) {
  auto declined = MergePracticeOwnedFields(
      PartnerTask("requested"),
      LocalTask("rejected", R"({"statusReason":{"text":"payer out of network"}})"), "requested");
  ASSERT_TRUE(declined.ok()) << declined.status().ToString();
  EXPECT_EQ(declined->task.StringOr("status"), "rejected");
  EXPECT_EQ(declined->task.Find("statusReason")->StringOr("text"), "payer out of network");

  auto late =
      MergePracticeOwnedFields(PartnerTask("cancelled"), LocalTask("rejected"), "requested");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kUnprocessable);
  EXPECT_NE(late.status().message().find("from 'requested' to 'rejected', but the partner's Task "
                                         "is 'cancelled' now"),
            std::string::npos)
      << late.status().message();
}

TEST(ReferralStatusMergeTest, NothingToSendWhenThePartnerAlreadyAgrees) {
  auto merged =
      MergePracticeOwnedFields(PartnerTask("accepted"), LocalTask("accepted"), "requested");
  ASSERT_TRUE(merged.ok());
  EXPECT_FALSE(merged->changed);
}

}  // namespace
}  // namespace duet::gateway
