// PushCarePlansJob against a scripted partner over TLS: the outbox, backoff with Retry-After,
// dead letters and markers, with a fake clock.
#include "gateway/sync/push_care_plans_job.h"

#include <atomic>

#include "gateway/store/sqlite_sync_state_store.h"
#include "gateway/sync/sync_jobs.h"
#include "tests/gateway/practice_api/practice_api_test_base.h"
#include "tests/gateway/sync/referral_job_test_base.h"
#include "tests/support/https_client.h"
#include "tests/support/recording_audit_log.h"
#include "tests/support/scripted_https_server.h"

namespace duet::gateway {
namespace {

using fhir::Json;
using test::ScriptedRequest;
using test::ScriptedResponse;

constexpr char kTransactionResponse[] =
    R"({"resourceType":"Bundle","type":"transaction-response","entry":[]})";

class PushCarePlansJobTest : public testing::PracticeApiTestBase {
 protected:
  void SetUp() override {
    PracticeApiTestBase::SetUp();
    state_ = std::move(*SqliteSyncStateStore::Open(dir_ + "/duet.db"));
    partner_ = std::make_unique<test::ScriptedHttpsServer>(
        [this](const ScriptedRequest& request) { return Answer(request); });
    ASSERT_TRUE(partner_->Start().ok());
    endpoint_ = testing::EvimEndpoint(partner_->base_url() + "/fhir");
    client_ = std::move(*MakeEndpointClient(endpoint_));
    SyncContext context{*store_,
                        *state_,
                        *fhir_,
                        mappings::MappingContext{testing::kIdentifierBase},
                        [this] { return now_.load(); },
                        audit_log_};
    job_ = std::make_unique<PushCarePlansJob>("push-evim", endpoint_, context, *client_);
    Upload(Batch({Fixture("patient.json"), Fixture("patient-slp.json"), Fixture("provider.json"),
                  Fixture("provider-ot.json"), Fixture("provider-slp.json"),
                  Fixture("provider-referring.json"), Fixture("provider-neurologist.json"),
                  Fixture("referral.json")}));
    Upload(Batch({Fixture("plan_of_care.json"), Fixture("plan_of_care-slp.json")}));
  }
  void TearDown() override {
    job_.reset();
    client_.reset();
    partner_.reset();
    state_.reset();
    PracticeApiTestBase::TearDown();
  }

  ScriptedResponse Answer(const ScriptedRequest& request) {
    transactions_.fetch_add(1);
    std::lock_guard<std::mutex> lock(mutex_);
    bodies_.push_back(request.body);
    if (!answers_.empty()) {
      ScriptedResponse next = answers_.front();
      answers_.erase(answers_.begin());
      return next;
    }
    return ScriptedResponse::Fhir(200, kTransactionResponse);
  }
  void AnswerNext(std::vector<ScriptedResponse> answers) {
    std::lock_guard<std::mutex> lock(mutex_);
    answers_ = std::move(answers);
  }
  StatusOr<JobRunReport> Run() {
    return job_->RunOnce([] { return false; });
  }

  std::unique_ptr<SqliteSyncStateStore> state_;
  std::unique_ptr<test::ScriptedHttpsServer> partner_;
  EndpointConfig endpoint_;
  std::unique_ptr<fhir::FhirClient> client_;
  std::unique_ptr<PushCarePlansJob> job_;
  std::atomic<int64_t> now_{1'800'000'000};
  std::atomic<int> transactions_{0};
  std::mutex mutex_;
  std::vector<ScriptedResponse> answers_;
  std::vector<std::string> bodies_;
  test::RecordingAuditLog audit_log_;
};

TEST_F(PushCarePlansJobTest, OnlySharedPlansGoOutOncePerVersion) {
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->sent, 1);
  ASSERT_EQ(transactions_, 1);
  Json bundle = Parse(bodies_[0]);
  EXPECT_EQ(bundle.StringOr("type"), "transaction");
  std::string text = bodies_[0];
  EXPECT_NE(text.find("POC-8812-1"), std::string::npos);
  EXPECT_EQ(text.find("POC-9120-1"), std::string::npos) << "not shared with this partner";
  EXPECT_EQ(text.find("\"versionId\""), std::string::npos) << "server versions stay home";
  for (const Json& entry : bundle.Find("entry")->items()) {
    EXPECT_EQ(entry.Find("request")->StringOr("method"), "PUT");
    std::string resource = fhir::WriteJson(*entry.Find("resource"));
    EXPECT_EQ(resource.find("\"reference\":\"Patient/"), std::string::npos)
        << "references between entries are urn:uuid: " << resource.substr(0, 300);
  }
  EXPECT_EQ(Run()->sent, 0);
  EXPECT_EQ(transactions_, 1);
}

// Each transaction sent is one audit record: the job, the partner, the plan's patient, the answer.
TEST_F(PushCarePlansJobTest, EachTransactionSentIsAuditedWithThePartnersAnswer) {
  AnswerNext({ScriptedResponse::Fhir(503, R"({"resourceType":"OperationOutcome","issue":[]})",
                                     {{"Retry-After", "120"}})});
  EXPECT_FALSE(Run().ok());
  std::vector<AuditRecord> records = audit_log_.Take();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].interaction, "transaction");
  EXPECT_EQ(records[0].http_status, 503);
  EXPECT_EQ(records[0].outcome, 8);

  now_ += 3600;
  ASSERT_EQ(Run()->sent, 1);
  records = audit_log_.Take();
  ASSERT_EQ(records.size(), 1u);
  const AuditRecord& sent = records[0];
  EXPECT_EQ(sent.agent.kind, "sync");
  EXPECT_EQ(sent.agent.client_id, "push-evim");
  EXPECT_EQ(sent.agent.organization_npi, "1620193841");
  EXPECT_EQ(sent.remote_address, endpoint_.base_url);
  EXPECT_EQ(sent.outcome, 0);
  auto patients = store_->Search(*fhir::ParseSearchQuery(
      "Patient", {{"identifier", std::string(testing::kIdentifierBase) + "/mrn|PT-004512"}}));
  ASSERT_TRUE(patients.ok() && patients->matches.size() == 1u);
  EXPECT_EQ(sent.patients, (std::vector<std::string>{patients->matches[0].id}));
  bool plan = false;
  for (const std::string& resource : sent.resources)
    plan = plan || resource.rfind("CarePlan/", 0) == 0;
  EXPECT_TRUE(plan) << "the plan of care is named";
}

// While the audit trail cannot be written, a plan sent counts as not sent: it goes out again
// (and is recorded) later.
TEST_F(PushCarePlansJobTest, APushThatCannotBeAuditedIsSentAgainLater) {
  audit_log_.refuse = true;
  EXPECT_FALSE(Run().ok());
  EXPECT_EQ(state_->Items("push-evim", "pending")->size(), 1u);
  audit_log_.refuse = false;
  now_ += 3600;
  EXPECT_EQ(Run()->sent, 1);
  EXPECT_EQ(audit_log_.Take().size(), 1u);
}

// FHIR-MAPPING.md scenario 10: the partner answers 503 with Retry-After: 120.
TEST_F(PushCarePlansJobTest, AnOutageIsWaitedOutAsThePartnerAsks) {
  AnswerNext({ScriptedResponse::Fhir(503, R"({"resourceType":"OperationOutcome","issue":[]})",
                                     {{"Retry-After", "120"}})});
  auto failed = Run();
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(state_->LoadJob("push-evim")->watermark, "") << "the plan is in the outbox";
  auto waiting = state_->Items("push-evim", "pending");
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ((*waiting)[0].next_attempt_at, now_ + 120);
  int before = transactions_;
  now_ += 119;
  EXPECT_EQ(Run()->sent, 0);
  EXPECT_EQ(transactions_, before) << "not before Retry-After";
  now_ += 1;
  auto recovered = Run();
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(recovered->sent, 1);
  EXPECT_EQ(state_->Items("push-evim", "pending")->size(), 0u);
  EXPECT_EQ(Run()->sent, 0);
}

TEST_F(PushCarePlansJobTest, ARefusedBundleBecomesADeadLetterUntilRetried) {
  AnswerNext({ScriptedResponse::Fhir(
      422,
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","diagnostics":"CarePlan.activity[0]: unknown code"}]})")});
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->failed, 1);
  auto dead = state_->Items("push-evim", "dead");
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE((*dead)[0].last_error.find("HTTP 422"), std::string::npos) << (*dead)[0].last_error;
  EXPECT_NE((*dead)[0].last_error.find("unknown code"), std::string::npos);
  now_ += 100000;
  EXPECT_EQ(Run()->sent, 0) << "a dead letter is not retried by itself";
  EXPECT_EQ(*state_->RetryDead("push-evim", now_), 1);
  EXPECT_EQ(Run()->sent, 1);
}

TEST_F(PushCarePlansJobTest, ARunSendsEverythingDueNotOnlyOnePage) {
  // 1,001 items queued before the shared plan's (for plans deleted since: done without a send),
  // so that the plan's item is on the second page of due items.
  std::vector<OutboxWork> gone;
  for (int i = 0; i < 1001; ++i) gone.push_back({"CarePlan/gone-" + std::to_string(i), "1"});
  ASSERT_TRUE(state_->EnqueueAll("push-evim", gone, now_).ok());
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->sent, 1);
  EXPECT_EQ(transactions_, 1);
  EXPECT_EQ(state_->Items("push-evim", "pending")->size(), 0u);
  EXPECT_EQ(Run()->sent, 0);
}

}  // namespace
}  // namespace duet::gateway
