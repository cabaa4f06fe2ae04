// The referral loop between two real `duet serve` processes over mutual TLS (docs/sync.md): a
// partner Duet holds referrals addressed to the practice; the practice's gateway takes them in
// with its scheduled pull_referrals job, the practice declines one (FHIR-MAPPING.md scenario 3)
// and accepts and schedules the other, and push_referral_status puts that on the partner's
// Tasks, merging onto a Task the partner moved meanwhile (scenario 8). Running again changes
// nothing. A gateway killed (SIGKILL) in the middle of a pull resumes with nothing lost or
// duplicated.
#include <gtest/gtest.h>

#include <signal.h>

#include <functional>
#include <thread>

#include "fhir/json.h"
#include "tests/support/fake_fhir_partner.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;

constexpr char kPracticeNpi[] = "1987654328";
constexpr char kTask77812[] = "Task?identifier=https://evim.example/referral-tasks%7CEVIM-77812-T";
constexpr char kTask77813[] = "Task?identifier=https://evim.example/referral-tasks%7CEVIM-77813-T";

// Waits up to `seconds` for `done`.
bool Eventually(const std::function<bool()>& done, int seconds = 45) {
  for (int i = 0; i < seconds * 5; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done();
}

Json Endpoint(const std::string& base_url, bool mutual_tls) {
  std::string certs = TestCertsDir();
  Json endpoint = ParseOrFail(R"({"name": "evim", "organization_npi": "1620193841",
      "timeout_seconds": 5, "tls": {"ca_file": ")" +
                              certs + R"(/ca.pem"}})");
  endpoint.Set("base_url", Json::String(base_url + "/fhir"));
  if (mutual_tls) {
    endpoint.Find("tls")->Set("client_certificate", Json::String(certs + "/client.pem"));
    endpoint.Find("tls")->Set("client_key", Json::String(certs + "/client.key"));
  }
  return endpoint;
}

TestServerOptions PracticeOptions(const std::string& partner_base, bool mutual_tls,
                                  const std::string& jobs) {
  TestServerOptions options;
  options.extra_config = ParseOrFail(R"({"practice": {"organization_npi": ")" +
                                     std::string(kPracticeNpi) + R"("}, "jobs": )" + jobs + "}");
  Json endpoints = Json::MakeArray();
  endpoints.Append(Endpoint(partner_base, mutual_tls));
  options.extra_config.Set("endpoints", std::move(endpoints));
  return options;
}

// The partner is another organization: its own identifiers, and client certificates required.
TestServerOptions PartnerOptions() {
  TestServerOptions options;
  options.extra_config = ParseOrFail(R"({"tls":{"client_ca":")" + TestCertsDir() +
                                     R"(/ca.pem"}, "practice": {"identifier_base":
                                     "https://evim.example/sid"}})");
  return options;
}

// What the partner's EHR knows: Maria Lopez (also by the practice's MRN, from the plans of care
// the practice shares) and Dr. Chen.
constexpr char kPartnerPeople[] = R"({"resourceType":"Bundle","type":"transaction","entry":[
  {"resource":{"resourceType":"Patient","identifier":[
     {"system":"https://evim.example/mrn","value":"E-220981"},
     {"system":"https://sunrise-pt.example/sid/mrn","value":"PT-004512"}],
   "name":[{"family":"Lopez","given":["Maria","Elena"]}],"gender":"female","birthDate":"1956-03-14"},
   "request":{"method":"POST","url":"Patient"}},
  {"resource":{"resourceType":"Practitioner","identifier":[
     {"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567893"}],
   "name":[{"family":"Chen","given":["Alan"],"suffix":["MD"]}]},
   "request":{"method":"POST","url":"Practitioner"}}]})";

// The scenario 2 referral, and an OT referral for the same patient.
std::string PtReferral() { return FixtureText("partner/referral-transaction.json"); }
std::string OtReferral() {
  std::string text = PtReferral();
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"EVIM-77812", "EVIM-77813"},
           {"91251008", "84478008"},
           {"Physical therapy procedure", "Occupational therapy"},
           {"PT eval and treat", "OT eval and treat"}}) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
      text.replace(at, from.size(), to);
      at += to.size();
    }
  }
  return text;
}

class ReferralSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(partner_.Start().ok()) << partner_.log();
    HttpsClientOptions mutual = MutualTlsClientOptions();
    partner_client_ = std::make_unique<HttpsClient>(partner_.Client(mutual));
    for (const std::string& bundle : {std::string(kPartnerPeople), PtReferral(), OtReferral()}) {
      HttpsResponse posted = partner_client_->Post("/fhir", bundle, kFhirJson);
      ASSERT_EQ(posted.status, 200) << posted.body.substr(0, 1500);
    }
    practice_ = std::make_unique<TestServer>(PracticeOptions(partner_.base_url(), true, R"([
        {"name": "referrals-evim", "kind": "pull_referrals", "endpoint": "evim", "every": "10s"},
        {"name": "status-evim", "kind": "push_referral_status", "endpoint": "evim",
         "every": "10s"}])"));
    Status started = practice_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    practice_client_ = std::make_unique<HttpsClient>(practice_->Client());
  }

  static Json Get(HttpsClient& client, const std::string& path) {
    HttpsResponse response = client.Get(path);
    EXPECT_EQ(response.status, 200) << path << "\n" << response.body.substr(0, 800);
    return response.status == 200 ? ParseOrFail(response.body) : Json::MakeObject();
  }
  static Json First(HttpsClient& client, const std::string& query) {
    Json bundle = Get(client, "/fhir/" + query);
    const Json* entries = bundle.Find("entry");
    return entries == nullptr || entries->items().empty() ? Json::MakeObject()
                                                          : *entries->items()[0].Find("resource");
  }
  static std::string Count(HttpsClient& client, const std::string& type) {
    return Get(client, "/fhir/" + type + "?_summary=count").Find("total")->number_text();
  }
  // Changes a Task by PUT with If-Match, as a user of that server would.
  static void Change(HttpsClient& client, const std::string& query, const std::string& status,
                     const std::string& extra = "{}") {
    Json task = First(client, query);
    std::string version(task.Find("meta")->StringOr("versionId"));
    task.Set("status", Json::String(status));
    Json changes = ParseOrFail(extra);
    for (const auto& [key, value] : changes.members()) task.Set(key, value);
    HttpsResponse put = client.Put(
        "/fhir/Task/" + std::string(task.StringOr("id")), fhir::WriteJson(task),
        {{"Content-Type", "application/fhir+json"}, {"If-Match", "W/\"" + version + "\""}});
    ASSERT_EQ(put.status, 200) << put.body.substr(0, 1000);
  }
  std::string Queue(const std::string& status) {
    return Get(*practice_client_, "/practice/v1/referrals?status=" + status + "&direction=inbound")
        .Find("count")
        ->number_text();
  }

  TestServer partner_{PartnerOptions()};
  std::unique_ptr<TestServer> practice_;
  std::unique_ptr<HttpsClient> partner_client_;
  std::unique_ptr<HttpsClient> practice_client_;
};

TEST_F(ReferralSyncTest, TheReferralLoopIsClosedWithThePartner) {
  ASSERT_TRUE(Eventually([&] { return Queue("received") == "2"; })) << practice_->log();
  Json queue = Get(*practice_client_, "/practice/v1/referrals?status=received");
  for (const Json& referral : queue.Find("referrals")->items()) {
    EXPECT_EQ(referral.StringOr("referring_npi"), "1234567893");
    EXPECT_EQ(referral.StringOr("patient_mrn"), "PT-004512");
  }

  // Scenario 3: the PT referral is declined; the OT referral is accepted.
  Change(*practice_client_, kTask77812, "rejected",
         R"({"statusReason": {"text": "payer out of network"}})");
  Change(*practice_client_, kTask77813, "accepted");
  Json declined = Get(*practice_client_, "/practice/v1/referrals?status=declined");
  ASSERT_EQ(declined.Find("count")->number_text(), "1");
  EXPECT_EQ(declined.Find("referrals")->items()[0].StringOr("status_reason"),
            "payer out of network");
  ASSERT_TRUE(Eventually([&] {
    return First(*partner_client_, kTask77812).StringOr("status") == "rejected" &&
           First(*partner_client_, kTask77813).StringOr("status") == "accepted";
  })) << practice_->log();
  EXPECT_EQ(First(*partner_client_, kTask77812).Find("statusReason")->StringOr("text"),
            "payer out of network");

  // Scenario 8: the partner starts the OT Task meanwhile; the practice schedules the visit.
  Change(*partner_client_, kTask77813, "in-progress");
  Change(*practice_client_, kTask77813, "accepted", R"({"businessStatus": {"text": "scheduled"}})");
  ASSERT_TRUE(Eventually([&] {
    Json task = First(*partner_client_, kTask77813);
    const Json* business = task.Find("businessStatus");
    return business != nullptr && business->StringOr("text") == "scheduled";
  })) << practice_->log();
  Json merged = First(*partner_client_, kTask77813);
  EXPECT_EQ(merged.StringOr("status"), "in-progress") << "the partner's move stands";
  EXPECT_EQ(Get(*partner_client_, "/fhir/Task/" + std::string(merged.StringOr("id")) + "/_history")
                .Find("total")
                ->number_text(),
            "4")
      << "requested, accepted (ours), in-progress (theirs), scheduled (ours, after a 412)";
  EXPECT_EQ(Queue("scheduled"), "1");

  // Running again (with the gateway stopped, so the pull may run here) sends and creates nothing.
  std::string practice_requests = Count(*practice_client_, "ServiceRequest");
  std::string practice_tasks = Count(*practice_client_, "Task");
  std::string partner_tasks =
      Get(*partner_client_, "/fhir/Task/_history?_count=1").Find("total")->number_text();
  EXPECT_EQ(practice_->Stop(), 0);
  ProcessResult run =
      RunDuet({"sync", "run", "--config", practice_->config_path()}, std::chrono::seconds(60));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("0 referral(s) taken in from evim"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("0 referral status update(s) sent to evim, 0 failed"), std::string::npos)
      << run.out;
  ASSERT_TRUE(practice_->Start().ok()) << practice_->log();
  EXPECT_EQ(Count(*practice_client_, "ServiceRequest"), practice_requests);
  EXPECT_EQ(Count(*practice_client_, "Task"), practice_tasks);
  EXPECT_EQ(Count(*partner_client_, "ServiceRequest"), "2");
  EXPECT_EQ(Get(*partner_client_, "/fhir/Task/_history?_count=1").Find("total")->number_text(),
            partner_tasks)
      << "no new version of any partner Task";
  ProcessResult status = RunDuet({"sync", "status", "--config", practice_->config_path()});
  EXPECT_EQ(status.exit_code, 0) << status.out;
  EXPECT_NE(status.out.find("dead letters: 0"), std::string::npos) << status.out;
}

// A gateway killed (SIGKILL) while its scheduled pull waits for the partner's second page: the
// first referral is stored and the watermark covers it; after the restart the pull runs again
// and takes in the rest; nothing is lost or stored twice.
TEST(ReferralSyncCrashTest, AGatewayKilledMidPullResumesAtRestart) {
  FakeFhirPartner partner;
  ASSERT_TRUE(partner.Start().ok());
  partner.ServeSearchset(ParseOrFail(FixtureText("partner/referral-searchset.json")));
  partner.Store(ParseOrFail(R"({"resourceType":"Organization","id":"org-sunrise",
      "identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"1987654328"}]})"));
  partner.HoldPageOnce(1, std::chrono::seconds(30));
  std::string base = partner.base_url();
  TestServer practice(PracticeOptions(base.substr(0, base.size() - 5), false, R"([
      {"name": "referrals-evim", "kind": "pull_referrals", "endpoint": "evim", "every": "10s"}])"));
  ASSERT_TRUE(practice.Start().ok()) << practice.log();
  auto page_requests = [&](const std::string& page) {
    int count = 0;
    for (const ScriptedRequest& request : partner.requests("GET")) {
      count += request.target.find("page=" + page) != std::string::npos;
    }
    return count;
  };
  ASSERT_TRUE(Eventually([&] { return page_requests("1") == 1; })) << practice.log();
  EXPECT_EQ(practice.Kill(), 128 + SIGKILL);

  ASSERT_TRUE(practice.Start().ok()) << practice.log();
  HttpsClient client = practice.Client();
  auto queue = [&] {
    HttpsResponse response = client.Get("/practice/v1/referrals?status=received");
    return response.status == 200 ? ParseOrFail(response.body) : Json::MakeObject();
  };
  ASSERT_TRUE(Eventually([&] {
    Json answer = queue();
    const Json* count = answer.Find("count");
    return count != nullptr && count->number_text() == "2";
  })) << practice.log();
  EXPECT_GE(page_requests("1"), 2) << "the second page was asked for again";
  for (const char* type : {"ServiceRequest", "Task", "Patient", "Practitioner"}) {
    HttpsResponse counted = client.Get(std::string("/fhir/") + type + "?_summary=count");
    EXPECT_EQ(ParseOrFail(counted.body).Find("total")->number_text(),
              std::string(type) == "ServiceRequest" || std::string(type) == "Task" ? "2" : "1")
        << type;
  }
  ProcessResult status = RunDuet({"sync", "status", "--config", practice.config_path()});
  EXPECT_NE(status.out.find(" ok - "), std::string::npos) << status.out;
  practice.Stop();
}

}  // namespace
}  // namespace duet::test
