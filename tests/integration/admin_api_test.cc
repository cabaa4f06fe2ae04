// The admin API against two real `duet serve` processes: an IT admin adds a partner endpoint and
// a job to the running practice gateway over HTTPS, tests the connection, runs the job and sees
// the counts change, all without a restart; refused changes name their problems.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "fhir/json.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;

const HeaderList kJson = {{"Content-Type", "application/json"}};

TestServerOptions PartnerOptions() {
  TestServerOptions options;
  options.extra_config = ParseOrFail(R"({"tls":{"client_ca":")" + TestCertsDir() + R"(/ca.pem"}})");
  return options;
}

std::string EndpointJson(const std::string& base_url) {
  return R"({"name": "evim", "base_url": ")" + base_url +
         R"(/fhir", "organization_npi": "1620193841", "timeout_seconds": 5, "tls": )" +
         MutualTlsEndpointTlsJson() + R"(, "auth": {"method": "none"}})";
}

class AdminApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(partner_.Start().ok()) << partner_.log();
    Status started = practice_.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    admin_ = std::make_unique<HttpsClient>(practice_.Client());
  }

  Json Call(const std::string& method, const std::string& path, long expected_status,
            const std::string& body = "") {
    HttpsResponse response = method == "GET"      ? admin_->Get(path)
                             : method == "DELETE" ? admin_->Delete(path)
                             : method == "PUT"    ? admin_->Put(path, body, kJson)
                                                  : admin_->Post(path, body, kJson);
    EXPECT_EQ(response.status, expected_status) << method << " " << path << ": " << response.body;
    auto json = fhir::ParseJson(response.body);
    return json.ok() ? *json : Json();
  }

  std::vector<std::string> ProblemPointers(const Json& answer) {
    std::vector<std::string> pointers;
    const Json* problems = answer.Find("error") ? answer.Find("error")->Find("problems") : nullptr;
    if (problems != nullptr) {
      for (const Json& problem : problems->items()) {
        pointers.emplace_back(problem.StringOr("pointer"));
      }
    }
    return pointers;
  }

  TestServer partner_{PartnerOptions()};
  TestServer practice_;
  std::unique_ptr<HttpsClient> admin_;
};

TEST_F(AdminApiTest, AnEndpointAndJobAddedWhileServingSyncWithoutARestart) {
  HttpsResponse upload = admin_->Post(
      "/practice/v1/records",
      fhir::WriteJson(ParseOrFail(R"({"record":"batch","records":[)" +
                                  fhir::WriteJson(PrfFixture("patient.json")) + "," +
                                  fhir::WriteJson(PrfFixture("provider.json")) + "," +
                                  fhir::WriteJson(PrfFixture("provider-ot.json")) + "," +
                                  fhir::WriteJson(PrfFixture("provider-referring.json")) + "," +
                                  fhir::WriteJson(PrfFixture("referral.json")) + "," +
                                  fhir::WriteJson(PrfFixture("plan_of_care.json")) + "]}")),
      kJson);
  ASSERT_EQ(upload.status, 200) << upload.body.substr(0, 800);

  Call("POST", "/admin/v1/endpoints", 201, EndpointJson(partner_.base_url()));
  Json listed = Call("GET", "/admin/v1/endpoints", 200);
  ASSERT_EQ(listed.Find("endpoints")->items().size(), 1u);
  EXPECT_EQ(listed.Find("endpoints")->items()[0].StringOr("name"), "evim");

  Json tested = Call("POST", "/admin/v1/endpoints/evim/test", 200);
  EXPECT_TRUE(tested.Find("ok")->bool_value()) << fhir::WriteJson(tested);

  Call("POST", "/admin/v1/jobs", 201,
       R"({"name": "push-evim", "kind": "push_care_plans", "endpoint": "evim", "every": "1d"})");
  // The file says it too: a restart keeps the change.
  std::ifstream file(practice_.config_path());
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("push-evim"), std::string::npos);

  Call("POST", "/admin/v1/jobs/push-evim/run", 202);
  Json job;
  for (int i = 0; i < 100; ++i) {
    job = Call("GET", "/admin/v1/jobs/push-evim", 200);
    if (job.Find("last_run") != nullptr) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_NE(job.Find("last_run"), nullptr) << fhir::WriteJson(job) << practice_.log();
  EXPECT_EQ(job.Find("last_run")->StringOr("outcome"), "ok") << fhir::WriteJson(job);
  EXPECT_GT(std::stoll(job.Find("last_run")->Find("sent")->number_text()), 0);
  EXPECT_EQ(job.Find("pending_items")->number_text(), "0");
  EXPECT_GE(std::stoll(job.Find("runs")->number_text()), 1);

  // The run is in the sync history the console charts: today, for this job, with its counts.
  Json history = Call("GET", "/admin/v1/sync/history?days=14", 200);
  ASSERT_NE(history.Find("history"), nullptr) << fhir::WriteJson(history);
  ASSERT_EQ(history.Find("history")->items().size(), 1u) << fhir::WriteJson(history);
  const Json& day = history.Find("history")->items()[0];
  EXPECT_EQ(day.StringOr("job"), "push-evim");
  EXPECT_EQ(day.Find("runs")->number_text(), "1") << fhir::WriteJson(history);
  EXPECT_EQ(day.Find("failed_runs")->number_text(), "0");
  EXPECT_EQ(day.Find("sent")->number_text(), job.Find("last_run")->Find("sent")->number_text());
  Call("GET", "/admin/v1/sync/history?days=0", 400);

  HttpsClient partner = partner_.Client(MutualTlsClientOptions());
  HttpsResponse plans = partner.Get(
      "/fhir/CarePlan?identifier=https://sunrise-pt.example/sid/plan-of-care%7CPOC-8812-1");
  EXPECT_EQ(ParseOrFail(plans.body).Find("total")->number_text(), "1") << plans.body;
}

TEST_F(AdminApiTest, RefusedChangesNameEveryProblemAndChangeNothing) {
  Json refused = Call("POST", "/admin/v1/endpoints", 400,
                      R"({"name": "bad", "base_url": "http://plain.example/fhir",
                          "organization_npi": "12", "colour": "blue"})");
  std::vector<std::string> pointers = ProblemPointers(refused);
  EXPECT_NE(std::find(pointers.begin(), pointers.end(), "/base_url"), pointers.end())
      << fhir::WriteJson(refused);
  EXPECT_NE(std::find(pointers.begin(), pointers.end(), "/colour"), pointers.end())
      << fhir::WriteJson(refused);
  EXPECT_GE(pointers.size(), 3u) << fhir::WriteJson(refused);
  EXPECT_EQ(Call("GET", "/admin/v1/endpoints", 200).Find("endpoints")->items().size(), 0u);

  Call("POST", "/admin/v1/endpoints", 201, EndpointJson(partner_.base_url()));
  Call("POST", "/admin/v1/endpoints", 409, EndpointJson(partner_.base_url()));
  Json unknown_endpoint = Call(
      "POST", "/admin/v1/jobs", 400,
      R"({"name": "push-x", "kind": "push_care_plans", "endpoint": "nowhere", "every": "1d"})");
  EXPECT_EQ(ProblemPointers(unknown_endpoint), std::vector<std::string>{"/endpoint"});
  Call("POST", "/admin/v1/jobs", 400,
       R"({"name": "push-y", "kind": "push_everything", "endpoint": "evim", "every": "1s"})");
  Call("POST", "/admin/v1/jobs", 201,
       R"({"name": "push-evim", "kind": "push_care_plans", "endpoint": "evim", "every": "1d"})");
  Json in_use = Call("DELETE", "/admin/v1/endpoints/evim", 409);
  EXPECT_NE(fhir::WriteJson(in_use).find("job push-evim uses endpoint evim"), std::string::npos);
  Call("PUT", "/admin/v1/jobs/push-evim", 200,
       R"({"kind": "push_care_plans", "endpoint": "evim", "cron": "0 6 * * *"})");
  EXPECT_EQ(Call("GET", "/admin/v1/jobs/push-evim", 200).StringOr("cron"), "0 6 * * *");
  Call("PUT", "/admin/v1/jobs/push-evim", 400,
       R"({"name": "other", "kind": "push_care_plans", "endpoint": "evim", "every": "1d"})");
  Call("DELETE", "/admin/v1/jobs/push-evim", 200);
  Call("DELETE", "/admin/v1/endpoints/evim", 200);
  Call("DELETE", "/admin/v1/endpoints/evim", 404);
  Call("GET", "/admin/v1/jobs/push-evim", 404);
  Call("POST", "/admin/v1/jobs/push-evim/run", 404);
  Call("DELETE", "/admin/v1/dead-letters/abc", 400);
  Call("DELETE", "/admin/v1/dead-letters/999", 404);
  EXPECT_EQ(Call("GET", "/admin/v1/dead-letters", 200).Find("dead_letters")->items().size(), 0u);
  Json config = Call("GET", "/admin/v1/config", 200);
  EXPECT_TRUE(config.Find("file_matches_running")->bool_value());
  EXPECT_EQ(config.Find("config")->Find("endpoints")->items().size(), 0u);
}

TEST_F(AdminApiTest, SighupAppliesAChangeTheCliMade) {
  ProcessResult added =
      RunDuet({"endpoints", "add", "--config", practice_.config_path(), "--name", "evim",
               "--base-url", partner_.base_url() + "/fhir", "--organization-npi", "1620193841"});
  ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
  EXPECT_EQ(Call("GET", "/admin/v1/endpoints", 200).Find("endpoints")->items().size(), 0u);
  EXPECT_FALSE(Call("GET", "/admin/v1/config", 200).Find("file_matches_running")->bool_value());
  ASSERT_EQ(kill(practice_.pid(), SIGHUP), 0);
  Json endpoints;
  for (int i = 0; i < 50; ++i) {
    endpoints = Call("GET", "/admin/v1/endpoints", 200);
    if (!endpoints.Find("endpoints")->items().empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(endpoints.Find("endpoints")->items().size(), 1u) << practice_.log();
}

TEST(AdminApiAuthTest, SmartModeServesTheAdminApiOnlyWithTheAdminsToken) {
  char pattern[] = "/tmp/duet-admin-token-XXXXXX";
  std::string dir = mkdtemp(pattern);
  const std::string token = "admin-token-0123456789abcdefghijklmnop";
  std::ofstream(dir + "/admin.token") << token << "\n";
  TestServerOptions options;
  options.extra_config = ParseOrFail(R"({"auth": {"mode": "smart", "admin_token_file": ")" + dir +
                                     R"(/admin.token"}})");
  TestServer server(std::move(options));
  ASSERT_TRUE(server.Start().ok()) << server.log();
  HttpsClient client = server.Client();
  for (const char* path : {"/admin/v1/endpoints", "/admin/v1/clients", "/admin/v1/jobs",
                           "/admin/v1/dead-letters", "/admin/v1/config"}) {
    HttpsResponse anonymous = client.Get(path);
    EXPECT_EQ(anonymous.status, 401) << path;
    EXPECT_NE(anonymous.body.find("auth.admin_token_file"), std::string::npos) << anonymous.body;
    EXPECT_EQ(client.Get(path, {{"Authorization", "Bearer wrong-" + token}}).status, 401) << path;
    EXPECT_EQ(client.Get(path, {{"Authorization", "Bearer " + token}}).status, 200) << path;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace duet::test
