// Sync jobs between two real `duet serve` processes over mutual TLS: the practice's gateway
// pushes the plans of care it shares with a partner to the partner's FHIR API (a second Duet
// instance), once per version, and keeps what it could not deliver for later.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "fhir/json.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/scripted_https_server.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;

const HeaderList kJson = {{"Content-Type", "application/json"}};

Json Fixture(const std::string& name) { return PrfFixture(name); }

Json Batch(std::vector<std::string> names) {
  Json list = Json::MakeArray();
  for (const std::string& name : names) list.Append(Fixture(name));
  return ParseOrFail(R"({"record":"batch","records":)" + fhir::WriteJson(list) + "}");
}

// The partner requires client certificates from the test CA.
TestServerOptions PartnerOptions() {
  TestServerOptions options;
  options.extra_config = ParseOrFail(R"({"tls":{"client_ca":")" + TestCertsDir() + R"(/ca.pem"}})");
  return options;
}

TestServerOptions PracticeOptions(const std::string& partner_base) {
  TestServerOptions options;
  options.extra_config = ParseOrFail(R"({
    "endpoints": [{"name": "evim", "base_url": ")" +
                                     partner_base + R"(/fhir",
                   "organization_npi": "1620193841", "timeout_seconds": 5,
                   "tls": )" + MutualTlsEndpointTlsJson() +
                                     R"(,
                   "auth": {"method": "none"}}],
    "jobs": [{"name": "push-evim", "kind": "push_care_plans", "endpoint": "evim", "every": "1d"}]
  })");
  return options;
}

class SyncIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(partner_.Start().ok()) << partner_.log();
    practice_ = std::make_unique<TestServer>(PracticeOptions(partner_.base_url()));
    Status started = practice_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    HttpsClientOptions mutual = MutualTlsClientOptions();
    partner_client_ = std::make_unique<HttpsClient>(partner_.Client(mutual));
    practice_client_ = std::make_unique<HttpsClient>(practice_->Client());
  }

  void Upload(const Json& records) {
    HttpsResponse response =
        practice_client_->Post("/practice/v1/records", fhir::WriteJson(records), kJson);
    ASSERT_EQ(response.status, 200) << response.body.substr(0, 1500);
  }
  ProcessResult Sync(const std::string& command, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"sync", command, "--config", practice_->config_path()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunDuet(args, std::chrono::seconds(60));
  }
  // The partner's resources of `type` with the practice's identifier `system|value`.
  std::vector<Json> AtPartner(const std::string& query) {
    HttpsResponse response = partner_client_->Get("/fhir/" + query);
    EXPECT_EQ(response.status, 200) << response.body.substr(0, 500);
    return EntryResources(ParseOrFail(response.body));
  }
  std::string CountAtPartner(const std::string& type) {
    return ParseOrFail(partner_client_->Get("/fhir/" + type + "?_summary=count").body)
        .Find("total")
        ->number_text();
  }

  TestServer partner_{PartnerOptions()};
  std::unique_ptr<TestServer> practice_;
  std::unique_ptr<HttpsClient> partner_client_;
  std::unique_ptr<HttpsClient> practice_client_;
};

constexpr char kPlan[] =
    "CarePlan?identifier=https://sunrise-pt.example/sid/plan-of-care%7CPOC-8812-1";

TEST_F(SyncIntegrationTest, SharedPlansArePushedOncePerVersion) {
  Upload(Batch({"patient.json", "patient-slp.json", "provider.json", "provider-ot.json",
                "provider-slp.json", "provider-referring.json", "provider-neurologist.json",
                "referral.json"}));
  Upload(Batch({"plan_of_care.json", "plan_of_care-slp.json"}));

  ProcessResult first = Sync("run", {"push-evim"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.out.find("push-evim: ok - 1 plan(s) of care pushed to evim"), std::string::npos)
      << first.out;
  std::vector<Json> plans = AtPartner(kPlan);
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0].Find("meta")->StringOr("versionId"), "1");
  EXPECT_EQ(CountAtPartner("Goal"), "3");
  EXPECT_EQ(CountAtPartner("Condition"), "3");
  EXPECT_EQ(CountAtPartner("Patient"), "1") << "only the shared plan's patient";
  std::string patient(plans[0].Find("subject")->StringOr("reference"));
  EXPECT_EQ(
      ParseOrFail(partner_client_->Get("/fhir/" + patient).body).Find("birthDate")->string_value(),
      "1956-03-14");
  EXPECT_EQ(
      AtPartner("CarePlan?identifier=https://sunrise-pt.example/sid/plan-of-care%7CPOC-9120-1")
          .size(),
      0u)
      << "the SLP plan is certified by a physician outside the partner";

  ProcessResult again = Sync("run", {"push-evim"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("0 plan(s) of care pushed"), std::string::npos) << again.out;
  EXPECT_EQ(AtPartner(kPlan)[0].Find("meta")->StringOr("versionId"), "1");

  Json changed = Fixture("plan_of_care.json");
  changed.Find("frequency")->Set("weeks", Json::Integer(10));
  changed.Set("updated_at", Json::String("2025-02-01T10:00:00Z"));
  Upload(changed);
  ProcessResult third = Sync("run");
  ASSERT_EQ(third.exit_code, 0) << third.out << third.err;
  std::vector<Json> updated = AtPartner(kPlan);
  ASSERT_EQ(updated.size(), 1u);
  EXPECT_EQ(updated[0].Find("meta")->StringOr("versionId"), "2");
  EXPECT_NE(fhir::WriteJson(updated[0]).find("\"boundsDuration\":{\"value\":10"),
            std::string::npos);
}

// Each transaction pushed is one AuditEvent of the practice's gateway (read by its admin): the
// job as agent with the partner's NPI, the partner endpoint as recipient, the patient it
// disclosed.
TEST_F(SyncIntegrationTest, APushIsAuditedNamingThePartnerAndThePatients) {
  HttpsResponse uploaded = practice_client_->Post(
      "/practice/v1/records",
      fhir::WriteJson(Batch({"patient.json", "provider.json", "provider-ot.json",
                             "provider-referring.json", "referral.json", "plan_of_care.json"})),
      kJson);
  ASSERT_EQ(uploaded.status, 200) << uploaded.body.substr(0, 1500);
  std::string patient(ParseOrFail(uploaded.body).Find("records")->items()[0].StringOr("fhir"));
  patient = patient.substr(0, patient.find("/_history"));  // Patient/<id>

  ProcessResult run = Sync("run", {"push-evim"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  HttpsResponse page = practice_client_->Get("/admin/v1/audit?client=push-evim");
  ASSERT_EQ(page.status, 200) << page.body.substr(0, 500);
  Json bundle = ParseOrFail(page.body);
  ASSERT_EQ(bundle.Find("total")->number_text(), "1") << page.body;
  const Json& event = *bundle.Find("entry")->items()[0].Find("resource");
  EXPECT_EQ(event.Find("subtype")->items()[0].StringOr("code"), "transaction");
  EXPECT_EQ(event.StringOr("outcome"), "0");
  const Json& agents = *event.Find("agent");
  ASSERT_EQ(agents.items().size(), 2u) << fhir::WriteJson(event);
  EXPECT_EQ(agents.items()[0].StringOr("altId"), "push-evim");
  EXPECT_EQ(agents.items()[0].Find("who")->Find("identifier")->StringOr("value"), "1620193841");
  EXPECT_EQ(agents.items()[1].Find("network")->StringOr("address"), partner_.base_url() + "/fhir");
  std::vector<std::string> patients;
  for (const Json& entity : event.Find("entity")->items()) {
    if (entity.Find("role")->StringOr("code") == "1") {
      patients.emplace_back(entity.Find("what")->StringOr("reference"));
    }
  }
  EXPECT_EQ(patients, (std::vector<std::string>{patient}));
  EXPECT_NE(fhir::WriteJson(event).find("\"CarePlan/"), std::string::npos) << "the plan sent";
}

TEST_F(SyncIntegrationTest, WhatCannotBeDeliveredWaitsAndGoesOutLater) {
  Upload(Batch({"patient.json", "provider.json", "provider-ot.json", "provider-referring.json",
                "referral.json"}));
  Upload(Fixture("plan_of_care.json"));
  ASSERT_GE(partner_.Stop(), 0);

  ProcessResult down = Sync("run", {"push-evim"});
  EXPECT_EQ(down.exit_code, 1) << down.out << down.err;
  EXPECT_NE(down.out.find("push-evim: failed"), std::string::npos) << down.out;
  ProcessResult status = Sync("status");
  EXPECT_NE(status.out.find("waiting: 1"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find(" after 1 attempt(s), next try 20"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find(partner_.base_url() + "/fhir"), std::string::npos)
      << "the error names the partner it could not reach: " << status.out;
  EXPECT_NE(status.out.find("last run:"), std::string::npos) << status.out;

  ASSERT_TRUE(partner_.Start().ok()) << partner_.log();
  // The item is due again after its backoff; retrying the run now sends what is due only.
  ProcessResult early = Sync("run", {"push-evim"});
  EXPECT_EQ(early.exit_code, 0) << early.out << early.err;
  EXPECT_EQ(AtPartner(kPlan).size(), 0u) << "backing off: not due yet";
}

TEST_F(SyncIntegrationTest, UsageErrorsAreClear) {
  ProcessResult unknown = Sync("run", {"push-nowhere"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no sync job or job kind is named \"push-nowhere\""),
            std::string::npos)
      << unknown.err;
  ProcessResult ad_hoc = Sync("run", {"push_care_plans"});
  EXPECT_EQ(ad_hoc.exit_code, 2);
  EXPECT_NE(ad_hoc.err.find("--endpoint NAME"), std::string::npos) << ad_hoc.err;
  ProcessResult by_kind = Sync("run", {"push_care_plans", "--endpoint", "evim"});
  EXPECT_EQ(by_kind.exit_code, 0) << by_kind.out << by_kind.err;
  EXPECT_NE(by_kind.out.find("push_care_plans@evim: ok"), std::string::npos) << by_kind.out;
  ProcessResult retry = Sync("retry");
  EXPECT_EQ(retry.exit_code, 0);
  EXPECT_NE(retry.out.find("0 dead letter(s) queued again"), std::string::npos) << retry.out;
}

TEST_F(SyncIntegrationTest, EndpointsAreListedAddedTestedAndRemoved) {
  auto endpoints = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"endpoints", args.front(), "--config",
                                     practice_->config_path()};
    argv.insert(argv.end(), args.begin() + 1, args.end());
    return RunDuet(argv);
  };
  ProcessResult list = endpoints({"list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(
      list.out.find("evim  " + partner_.base_url() + "/fhir  partner NPI 1620193841  mutual TLS"),
      std::string::npos)
      << list.out;

  ProcessResult tested = endpoints({"test", "evim"});
  EXPECT_EQ(tested.exit_code, 0) << tested.out << tested.err;
  EXPECT_NE(tested.out.find("ok   TLS"), std::string::npos) << tested.out;
  EXPECT_NE(tested.out.find("ok   auth (none)"), std::string::npos) << tested.out;
  EXPECT_NE(tested.out.find("ok   transaction Bundles"), std::string::npos) << tested.out;
  // The partner's server certificate (the test CA's server.pem) with its expiry date.
  EXPECT_NE(tested.out.find("ok   server certificate: "), std::string::npos) << tested.out;
  EXPECT_NE(tested.out.find("CN = localhost (issued by "), std::string::npos) << tested.out;
  EXPECT_NE(tested.out.find(") expires 20"), std::string::npos) << tested.out;

  ProcessResult invalid =
      endpoints({"add", "--name", "ortho", "--base-url", "https://ehr.ortho.example/fhir",
                 "--organization-npi", "1987654320"});
  EXPECT_EQ(invalid.exit_code, 2);
  EXPECT_NE(invalid.err.find("/endpoints/1/organization_npi"), std::string::npos) << invalid.err;
  ProcessResult added =
      endpoints({"add", "--name", "ortho", "--base-url", "https://ehr.ortho.example/fhir",
                 "--organization-npi", "1987654328", "--auth", "none"});
  EXPECT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(endpoints({"list"}).out.find("ortho  https://ehr.ortho.example/fhir"),
            std::string::npos);
  ProcessResult unreachable = endpoints({"test", "ortho"});
  EXPECT_EQ(unreachable.exit_code, 1) << unreachable.out;
  EXPECT_NE(unreachable.out.find("FAIL TLS/metadata"), std::string::npos) << unreachable.out;

  ProcessResult in_use = endpoints({"remove", "evim"});
  EXPECT_EQ(in_use.exit_code, 2);
  EXPECT_NE(in_use.err.find("job push-evim uses endpoint evim"), std::string::npos) << in_use.err;
  EXPECT_EQ(endpoints({"remove", "ortho"}).exit_code, 0);
  EXPECT_EQ(endpoints({"list"}).out.find("ortho"), std::string::npos);
}

// A gateway killed (SIGKILL) while its scheduled push waits for the partner's answer resumes
// at restart: the job runs again at once, the same idempotent Bundle goes out, and the item is
// delivered exactly once as far as the outbox is concerned.
TEST(SyncCrashTest, AGatewayKilledMidPushResumesAtRestart) {
  std::atomic<int> requests{0};
  ScriptedHttpsServer partner([&](const ScriptedRequest& request) {
    if (request.method != "POST") return ScriptedResponse::Fhir(404, "{}");
    ScriptedResponse answer = ScriptedResponse::Fhir(
        200, R"({"resourceType":"Bundle","type":"transaction-response","entry":[]})");
    if (requests.fetch_add(1) == 0) answer.delay = std::chrono::seconds(20);  // never in time
    return answer;
  });
  ASSERT_TRUE(partner.Start().ok());
  std::string certs = TestCertsDir();
  TestServerOptions options;
  options.extra_config = ParseOrFail(R"({
    "endpoints": [{"name": "evim", "base_url": ")" +
                                     partner.base_url() + R"(/fhir",
                   "organization_npi": "1620193841", "timeout_seconds": 60,
                   "tls": {"ca_file": ")" +
                                     certs + R"(/ca.pem"}}],
    "jobs": [{"name": "push-evim", "kind": "push_care_plans", "endpoint": "evim", "every": "10s"}]
  })");
  TestServer practice(std::move(options));
  ASSERT_TRUE(practice.Start().ok()) << practice.log();
  HttpsClient client = practice.Client();
  ASSERT_EQ(client
                .Post("/practice/v1/records",
                      fhir::WriteJson(
                          Batch({"patient.json", "provider.json", "provider-ot.json",
                                 "provider-referring.json", "referral.json", "plan_of_care.json"})),
                      kJson)
                .status,
            200);
  // The scheduler's next run (within 10 s) sends the plan; the partner holds the answer back.
  for (int i = 0; i < 300 && requests == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(requests, 1) << practice.log();
  EXPECT_EQ(practice.Kill(), 128 + SIGKILL);

  ASSERT_TRUE(practice.Start().ok()) << practice.log();
  for (int i = 0; i < 300 && requests < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_GE(requests, 2) << "the interrupted push went out again after the restart";
  std::vector<ScriptedRequest> sent = partner.requests();
  EXPECT_EQ(sent[0].body, sent[1].body) << "the same idempotent Bundle";
  ProcessResult status;
  for (int i = 0; i < 100; ++i) {
    status = RunDuet({"sync", "status", "--config", practice.config_path()});
    if (status.out.find("waiting: 0") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(status.out.find("waiting: 0"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("dead letters: 0"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find(" ok - 1 plan(s) of care pushed"), std::string::npos) << status.out;
  practice.Stop();
  partner.Stop();
}

}  // namespace
}  // namespace duet::test
