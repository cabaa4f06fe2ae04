// PushReferralStatusJob against a fake partner over TLS: the practice's Task status goes back to
// the partner's own Task with If-Match, once per local version; a 412 is merged onto the
// partner's new version (FHIR-MAPPING.md scenario 8); an illegal transition is a dead letter;
// Retry-After is honoured; a referral the partner posted is found by its Task identifier.
#include "gateway/sync/push_referral_status_job.h"

#include "gateway/sync/pull_referrals_job.h"
#include "tests/gateway/sync/referral_job_test_base.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr char kTask77812[] =
    "/fhir/Task?identifier=https://evim.example/referral-tasks%7CEVIM-77812-T";

class PushReferralStatusJobTest : public testing::ReferralJobTestBase {
 protected:
  void SetUp() override {
    ReferralJobTestBase::SetUp();
    pull_ = std::make_unique<PullReferralsJob>("pull-evim", endpoint_, testing::kPracticeNpi,
                                               context(), *client_);
    job_ = std::make_unique<PushReferralStatusJob>("status-evim", endpoint_, context(), *client_);
  }
  void TearDown() override {
    job_.reset();
    pull_.reset();
    ReferralJobTestBase::TearDown();
  }

  StatusOr<JobRunReport> Run() {
    return job_->RunOnce([] { return false; });
  }
  // The partner serves its referral searchset; the gateway takes it in.
  void Pull() {
    ServeSearchset();
    auto pulled = pull_->RunOnce([] { return false; });
    ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
    ASSERT_EQ(pulled->received, 2) << pulled->message;
  }
  // The practice moves its Task (as the practice API or a FHIR client would).
  Json SetLocal(const std::string& query, const std::string& status, const std::string& extra) {
    Json task = Search(query).at(0);
    task.Set("status", Json::String(status));
    task.Remove("meta");
    Json changes = test::ParseOrFail(extra.empty() ? "{}" : extra);
    for (const auto& [key, value] : changes.members()) task.Set(key, value);
    return FhirJson("PUT", "/fhir/Task/" + std::string(task.StringOr("id")), fhir::WriteJson(task),
                    200);
  }
  // A partner user changes the partner's Task.
  void MovePartnerTask(const std::string& status, const std::string& business = "") {
    Json task = partner_->Resource("Task", "task-77812");
    task.Set("status", Json::String(status));
    if (!business.empty()) task.Set("businessStatus", test::ParseOrFail(business));
    partner_->Store(std::move(task));
  }
  std::vector<test::ScriptedRequest> Puts() { return partner_->requests("PUT"); }

  std::unique_ptr<PullReferralsJob> pull_;
  std::unique_ptr<PushReferralStatusJob> job_;
};

TEST_F(PushReferralStatusJobTest, TheStatusGoesBackToThePartnersTaskOncePerVersion) {
  Pull();
  auto quiet = Run();
  ASSERT_TRUE(quiet.ok()) << quiet.status().ToString();
  EXPECT_EQ(quiet->sent, 0) << "the partner's Tasks already say what the practice says";
  EXPECT_TRUE(Puts().empty());

  SetLocal(kTask77812, "accepted", "");
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->sent, 1) << report->message;
  ASSERT_EQ(Puts().size(), 1u);
  test::ScriptedRequest put = Puts()[0];
  EXPECT_EQ(put.path(), "/fhir/Task/task-77812");
  EXPECT_EQ(*put.Header("If-Match"), "W/\"1b9e4c07-52f2-4d8e-8d35-6f0a9b3e21c4\"");
  Json at_partner = partner_->Resource("Task", "task-77812");
  EXPECT_EQ(at_partner.StringOr("status"), "accepted");
  EXPECT_EQ(at_partner.Find("owner")->StringOr("reference"), "Organization/org-sunrise")
      << "the partner's own fields stay as the partner has them";
  EXPECT_EQ(at_partner.Find("focus")->StringOr("reference"), "ServiceRequest/sr-77812");

  EXPECT_EQ(Run()->sent, 0) << "the same version again sends nothing";
  EXPECT_EQ(Puts().size(), 1u);
}

// FHIR-MAPPING.md scenario 8: the partner moved its Task to in-progress meanwhile; the practice
// only set businessStatus "scheduled". 412, re-read, merge, PUT with the new ETag, 200.
TEST_F(PushReferralStatusJobTest, AConflictIsMergedOntoThePartnersNewVersion) {
  Pull();
  SetLocal(kTask77812, "accepted", "");
  ASSERT_EQ(Run()->sent, 1);
  MovePartnerTask("in-progress");
  std::string moved(partner_->Resource("Task", "task-77812").Find("meta")->StringOr("versionId"));
  SetLocal(kTask77812, "accepted", R"({"businessStatus":{"text":"scheduled"}})");
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->sent, 1) << report->message;
  std::vector<test::ScriptedRequest> puts = Puts();
  ASSERT_EQ(puts.size(), 3u) << "a stale PUT (412) and the merged one";
  EXPECT_EQ(*puts[2].Header("If-Match"), "W/\"" + moved + "\"");
  Json at_partner = partner_->Resource("Task", "task-77812");
  EXPECT_EQ(at_partner.StringOr("status"), "in-progress") << "the partner's move stands";
  EXPECT_EQ(at_partner.Find("businessStatus")->StringOr("text"), "scheduled");
  EXPECT_EQ(state_->Items("status-evim", "dead")->size(), 0u);
}

TEST_F(PushReferralStatusJobTest, AnIllegalTransitionBecomesADeadLetter) {
  Pull();
  MovePartnerTask("cancelled");  // the physician withdrew the referral at the partner
  // Scenario 3 at the practice: declined, payer out of network.
  SetLocal(kTask77812, "rejected", R"({"statusReason":{"text":"payer out of network"}})");
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->failed, 1) << report->message;
  auto dead = state_->Items("status-evim", "dead");
  ASSERT_EQ(dead->size(), 1u);
  const std::string& error = (*dead)[0].last_error;
  for (const char* part : {"/Task/task-77812", "'rejected'", "the partner's Task is 'cancelled'",
                           "cannot move from 'cancelled' to 'rejected'"}) {
    EXPECT_NE(error.find(part), std::string::npos) << part << " in " << error;
  }
  EXPECT_EQ(partner_->Resource("Task", "task-77812").StringOr("status"), "cancelled");
}

// FHIR-MAPPING.md scenario 10, for status updates: 503 with Retry-After 120.
TEST_F(PushReferralStatusJobTest, AnOutageIsWaitedOutAsThePartnerAsks) {
  Pull();
  SetLocal(kTask77812, "rejected", R"({"statusReason":{"text":"payer out of network"}})");
  partner_->AnswerNext(test::ScriptedResponse::Fhir(
      503, R"({"resourceType":"OperationOutcome","issue":[]})", {{"Retry-After", "120"}}));
  auto failed = Run();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  auto waiting = state_->Items("status-evim", "pending");
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ((*waiting)[0].next_attempt_at, now_ + 120);
  now_ += 119;
  EXPECT_EQ(Run()->sent, 0) << "not before Retry-After";
  now_ += 1;
  auto recovered = Run();
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_EQ(recovered->sent, 1);
  Json at_partner = partner_->Resource("Task", "task-77812");
  EXPECT_EQ(at_partner.StringOr("status"), "rejected");
  EXPECT_EQ(at_partner.Find("statusReason")->StringOr("text"), "payer out of network");
}

// A referral the partner posted (scenario 2) has no link yet: its Task is found at the partner
// by the partner's Task identifier.
TEST_F(PushReferralStatusJobTest, APostedReferralIsFoundByItsTaskIdentifier) {
  FhirJson("POST", "/fhir", test::FixtureText("partner/referral-transaction.json"), 200);
  Json partner_task = test::ParseOrFail(R"({"resourceType":"Task","id":"evim-task-9",
      "identifier":[{"system":"https://evim.example/referral-tasks","value":"EVIM-77812-T"}],
      "status":"requested","intent":"order",
      "code":{"coding":[{"system":"http://hl7.org/fhir/CodeSystem/task-code","code":"fulfill"}]},
      "focus":{"reference":"ServiceRequest/evim-sr-9"},
      "owner":{"identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"1987654328"}}})");
  partner_->Store(partner_task);
  SetLocal(kTask77812, "received", "");
  SetLocal(kTask77812, "accepted", "");
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->sent, 1) << report->message;
  EXPECT_EQ(partner_->Resource("Task", "evim-task-9").StringOr("status"), "accepted");
  bool searched = false;
  for (const auto& request : partner_->requests("GET")) {
    searched |= request.target ==
                "/fhir/Task?identifier=https%3A%2F%2Fevim.example%2Freferral-tasks%7CEVIM-77812-T";
  }
  EXPECT_TRUE(searched);
  EXPECT_EQ(Run()->sent, 0);
}

TEST_F(PushReferralStatusJobTest, APartnerTaskThatCannotBeFoundIsADeadLetter) {
  FhirJson("POST", "/fhir", test::FixtureText("partner/referral-transaction.json"), 200);
  SetLocal(kTask77812, "received", "");
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto dead = state_->Items("status-evim", "dead");
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE((*dead)[0].last_error.find("the partner has no Task with identifier "
                                       "https://evim.example/referral-tasks|EVIM-77812-T"),
            std::string::npos)
      << (*dead)[0].last_error;
}

}  // namespace
}  // namespace duet::gateway
