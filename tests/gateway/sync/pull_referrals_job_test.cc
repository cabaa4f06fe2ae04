// PullReferralsJob against a fake partner over TLS: paging, the overlap and the dropping of
// repeats, the watermark (the partner's clock, held back by a referral the local API refuses),
// the CapabilityStatement check, and what lands in the practice's intake queue.
#include "gateway/sync/pull_referrals_job.h"

#include "gateway/sync/partner_task_link.h"
#include "tests/gateway/sync/referral_job_test_base.h"

namespace duet::gateway {
namespace {

using fhir::Json;

using testing::kPracticeNpi;

class PullReferralsJobTest : public testing::ReferralJobTestBase {
 protected:
  void SetUp() override {
    ReferralJobTestBase::SetUp();
    job_ = std::make_unique<PullReferralsJob>("pull-evim", endpoint_, kPracticeNpi, context(),
                                              *client_);
    searchset_ = ServeSearchset();
  }
  void TearDown() override {
    job_.reset();
    ReferralJobTestBase::TearDown();
  }

  StatusOr<JobRunReport> Run() {
    return job_->RunOnce([] { return false; });
  }
  Json Queue() {
    HttpResponse response =
        Practice("GET", "/practice/v1/referrals?status=received&direction=inbound");
    EXPECT_EQ(response.status, 200) << response.body;
    return Parse(response.body);
  }
  size_t Count(const std::string& type) { return Search("/fhir/" + type).size(); }
  // The searchset entry's resource with this id, to change what the partner serves.
  Json& PartnerResource(const std::string& id) {
    for (Json& entry : searchset_.Find("entry")->items()) {
      if (entry.Find("resource")->StringOr("id") == id) return *entry.Find("resource");
    }
    ADD_FAILURE() << id;
    return searchset_;
  }
  static void NewVersion(Json& resource, const std::string& version, const std::string& updated) {
    resource.Find("meta")->Set("versionId", Json::String(version));
    resource.Find("meta")->Set("lastUpdated", Json::String(updated));
  }

  std::unique_ptr<PullReferralsJob> job_;
  Json searchset_;
};

TEST_F(PullReferralsJobTest, ReferralsForThePracticeLandInTheIntakeQueue) {
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->received, 2) << report->message;
  EXPECT_EQ(report->failed, 0) << report->message;

  std::vector<test::ScriptedRequest> gets = partner_->requests("GET");
  std::vector<std::string> searches;
  for (const auto& request : gets) {
    if (request.path() == "/fhir/ServiceRequest") searches.push_back(request.target);
  }
  ASSERT_EQ(searches.size(), 3u) << "three pages, by next links";
  for (const char* part :
       {"category=http%3A%2F%2Fsnomed.info%2Fsct%7C3457005", "_sort=_lastUpdated", "_count=50",
        "_revinclude=Task:focus", "_include=ServiceRequest:subject"}) {
    EXPECT_NE(searches[0].find(part), std::string::npos) << part << " in " << searches[0];
  }
  EXPECT_EQ(searches[0].find("_lastUpdated=ge"), std::string::npos) << "no watermark yet";
  EXPECT_EQ(gets.front().path(), "/fhir/metadata") << "the CapabilityStatement first";

  Json queue = Queue();
  ASSERT_EQ(queue.Find("count")->number_text(), "2") << fhir::WriteJson(queue);
  const Json& pt = queue.Find("referrals")->items()[0];
  EXPECT_EQ(pt.StringOr("referring_npi"), "1234567893");
  EXPECT_EQ(pt.StringOr("patient_mrn"), "PT-004512");
  EXPECT_EQ(pt.StringOr("direction"), "inbound");
  EXPECT_EQ(queue.Find("problems")->items().size(), 0u) << fhir::WriteJson(queue);
  EXPECT_EQ(
      Search("/fhir/ServiceRequest?identifier=https://evim.example/referrals%7CEVIM-77820").size(),
      0u)
      << "a referral addressed to another organization stays at the partner";
  EXPECT_EQ(Count("Patient"), 1u) << "Maria Lopez matched by the practice's MRN";
  EXPECT_EQ(Count("Practitioner"), 3u) << "Dr. Chen matched by NPI";

  // The partner's clock, the latest referral seen (the one for another organization included).
  EXPECT_EQ(state_->LoadJob("pull-evim")->watermark, "2025-01-09T09:12:45.870Z");
  // The partner's Task is linked to the local one for push_referral_status.
  Json task =
      Search("/fhir/Task?identifier=https://evim.example/referral-tasks%7CEVIM-77812-T").at(0);
  auto link = LoadPartnerTaskLink(*state_, "evim", std::string(task.StringOr("id")));
  ASSERT_TRUE(link.ok() && link->has_value());
  EXPECT_EQ((*link)->partner_id, "task-77812");
  EXPECT_EQ((*link)->etag, "W/\"1b9e4c07-52f2-4d8e-8d35-6f0a9b3e21c4\"");
  EXPECT_EQ(task.Find("owner")->Find("identifier")->StringOr("value"), kPracticeNpi);
  EXPECT_NE(fhir::WriteJson(task).find(endpoint_.base_url + "/Task/task-77812"), std::string::npos)
      << "the local Task names where it came from";
}

TEST_F(PullReferralsJobTest, TheOverlapBringsRepeatsThatAreDroppedByVersion) {
  ASSERT_TRUE(Run().ok());
  size_t requests = Count("ServiceRequest"), tasks = Count("Task");
  auto again = Run();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->received, 0) << again->message;
  EXPECT_NE(again->message.find("2 repeat(s) skipped"), std::string::npos) << again->message;
  std::string last = partner_->requests("GET").back().target;
  for (const auto& request : partner_->requests("GET")) {
    if (request.path() == "/fhir/ServiceRequest" &&
        request.target.find("page=") == std::string::npos) {
      last = request.target;
    }
  }
  EXPECT_NE(last.find("_lastUpdated=ge2025-01-09T09%3A09%3A45.870Z"), std::string::npos)
      << "the watermark minus 3 minutes: " << last;
  EXPECT_EQ(Count("ServiceRequest"), requests);
  EXPECT_EQ(Count("Task"), tasks);

  // The partner edits one order: a new (UUID) version of the ServiceRequest only.
  Json& request = PartnerResource("sr-77813");
  NewVersion(request, "0d6f1a3b-8c52-4e97-a1b4-6e3c9d2f7a58", "2025-01-10T08:00:00.000Z");
  request.Set("note", test::ParseOrFail(R"([{"text":"Please include ADL training"}])"));
  partner_->ServeSearchset(searchset_);
  auto edited = Run();
  ASSERT_TRUE(edited.ok()) << edited.status().ToString();
  EXPECT_EQ(edited->received, 1) << edited->message;
  EXPECT_EQ(Count("ServiceRequest"), requests) << "updated in place";
  EXPECT_EQ(Count("Task"), tasks);
  Json local =
      Search("/fhir/ServiceRequest?identifier=https://evim.example/referrals%7CEVIM-77813").at(0);
  EXPECT_NE(fhir::WriteJson(local).find("ADL training"), std::string::npos);
  EXPECT_NE(fhir::WriteJson(local).find(testing::kIdentifierBase + std::string("/referral")),
            std::string::npos)
      << "the practice's own referral id stays";
  EXPECT_EQ(state_->LoadJob("pull-evim")->watermark, "2025-01-10T08:00:00.000Z");
}

TEST_F(PullReferralsJobTest, AReferralTheGatewayRefusesHoldsTheWatermarkBack) {
  Json& broken = PartnerResource("sr-77813");
  broken.Set("priority", Json::String("whenever"));  // not a request-priority code
  partner_->ServeSearchset(searchset_);
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->received, 1);
  EXPECT_EQ(report->failed, 1);
  EXPECT_NE(report->message.find(endpoint_.base_url + "/ServiceRequest/sr-77813"),
            std::string::npos)
      << report->message;
  EXPECT_NE(report->message.find("HTTP 422"), std::string::npos) << report->message;
  EXPECT_EQ(state_->LoadJob("pull-evim")->watermark, "2025-01-08T15:02:11.312Z")
      << "not past the referral that is not stored";
  std::vector<AuditRecord> records = audit_log_.Take();
  ASSERT_EQ(records.size(), 2u) << "one audit record per referral, taken in or not";
  for (const AuditRecord& record : records) {
    EXPECT_EQ(record.interaction, "search-type");
    EXPECT_EQ(record.agent.client_id, "pull-evim");
    EXPECT_EQ(record.remote_address, endpoint_.base_url);
  }
  EXPECT_EQ(records[0].outcome + records[1].outcome, 4) << "one taken in (0), one refused (4)";

  // The partner fixes it: the next run takes it in and the watermark catches up.
  broken.Set("priority", Json::String("routine"));
  NewVersion(broken, "4b8d2f6e-1a3c-4e5f-9b7d-c2e4a6f8b0d1", "2025-01-08T15:40:02.004Z");
  partner_->ServeSearchset(searchset_);
  auto fixed = Run();
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_EQ(fixed->received, 1) << fixed->message;
  EXPECT_EQ(fixed->failed, 0) << fixed->message;
  EXPECT_EQ(Queue().Find("count")->number_text(), "2");
  EXPECT_EQ(state_->LoadJob("pull-evim")->watermark, "2025-01-09T09:12:45.870Z");
}

TEST_F(PullReferralsJobTest, APartnerThatCannotSearchByLastUpdatedIsRefused) {
  partner_->ListLastUpdated(false);
  auto report = Run();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(report.status().message().find("_lastUpdated"), std::string::npos);
  EXPECT_NE(report.status().message().find(endpoint_.base_url + "/metadata"), std::string::npos);
  for (const auto& request : partner_->requests()) {
    EXPECT_EQ(request.path(), "/fhir/metadata") << "nothing searched";
  }
}

TEST_F(PullReferralsJobTest, AnUnreachablePartnerFailsTheRunAndMovesNothing) {
  for (int i = 0; i < 3; ++i) {
    partner_->AnswerNext(test::ScriptedResponse::Fhir(
        503, R"({"resourceType":"OperationOutcome","issue":[]})", {{"Retry-After", "1"}}));
  }
  auto report = Run();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kUnavailable) << report.status().ToString();
  EXPECT_EQ(state_->LoadJob("pull-evim")->watermark, "");
  EXPECT_EQ(Queue().Find("count")->number_text(), "0");
}

}  // namespace
}  // namespace duet::gateway
