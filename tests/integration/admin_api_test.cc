// The admin API against two real `duet serve` processes: an IT admin adds a partner endpoint and
// a job to the running practice gateway over HTTPS, tests the connection, runs the job and sees
// the counts change, all without a restart; refused changes name their problems.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "fhir/client/curl_http_transport.h"
#include "fhir/json.h"
#include "fhir/search/date_range.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;

const HeaderList kJson = {{"Content-Type", "application/json"}};

std::string ReadText(const std::string& path) {
  std::ifstream file(path);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

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

// The endpoint without its name, as a PUT may send it.
std::string Unnamed(const std::string& base_url) {
  std::string json = EndpointJson(base_url);
  const std::string name = R"("name": "evim", )";
  return json.replace(json.find(name), name.size(), "");
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
                                                  : admin_->Send(method, path, body, kJson);
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

  std::string Message(const Json& answer) {
    const Json* error = answer.Find("error");
    return error == nullptr ? "" : std::string(error->StringOr("message"));
  }

  std::string ConfigFileText() { return ReadText(practice_.config_path()); }

  // The patient, providers, referral and the plan of care shared with the partner (evim).
  void UploadSharedPlan() {
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
  }

  // Restarts the partner with `max_body_bytes` as its request body limit (0: the default): with
  // a small one it refuses our transactions with 413, which no retry can help (a dead letter).
  void RestartPartnerWithBodyLimit(int64_t max_body_bytes) {
    Json config = ParseOrFail(ReadText(partner_.config_path()));
    if (config.Find("limits") == nullptr) config.Set("limits", Json::MakeObject());
    if (max_body_bytes > 0) {
      config.Find("limits")->Set("max_body_bytes", Json::Integer(max_body_bytes));
    } else {
      config.Find("limits")->Remove("max_body_bytes");
    }
    WriteFile(partner_.config_path(), fhir::WriteJson(config, /*pretty=*/true));
    Status restarted = partner_.Restart();
    ASSERT_TRUE(restarted.ok()) << restarted.ToString() << partner_.log();
  }

  // Asks for a run of `job` now and waits until it is recorded; the job with its state.
  Json RunJobNow(const std::string& job) {
    std::string path = "/admin/v1/jobs/" + job;
    int64_t runs_before = std::stoll(Call("GET", path, 200).Find("runs")->number_text());
    Call("POST", path + "/run", 202);
    Json state;
    for (int i = 0; i < 150; ++i) {
      state = Call("GET", path, 200);
      if (std::stoll(state.Find("runs")->number_text()) > runs_before) return state;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ADD_FAILURE() << "job " << job << " did not run: " << fhir::WriteJson(state) << practice_.log();
    return state;
  }

  std::vector<Json> DeadLetters(const std::string& query = "") {
    Json answer = Call("GET", "/admin/v1/dead-letters" + query, 200);
    const Json* list = answer.Find("dead_letters");
    return list == nullptr ? std::vector<Json>{} : list->items();
  }

  std::string PlansAtPartner() {
    HttpsClient partner = partner_.Client(MutualTlsClientOptions());
    HttpsResponse plans = partner.Get(
        "/fhir/CarePlan?identifier=https://sunrise-pt.example/sid/plan-of-care%7CPOC-8812-1");
    return fhir::WriteJson(ParseOrFail(plans.body));
  }

  TestServer partner_{PartnerOptions()};
  TestServer practice_;
  std::unique_ptr<HttpsClient> admin_;
};

TEST_F(AdminApiTest, AnEndpointAndJobAddedWhileServingSyncWithoutARestart) {
  UploadSharedPlan();

  Call("POST", "/admin/v1/endpoints", 201, EndpointJson(partner_.base_url()));
  Json listed = Call("GET", "/admin/v1/endpoints", 200);
  ASSERT_EQ(listed.Find("endpoints")->items().size(), 1u);
  EXPECT_EQ(listed.Find("endpoints")->items()[0].StringOr("name"), "evim");

  Json tested = Call("POST", "/admin/v1/endpoints/evim/test", 200);
  EXPECT_TRUE(tested.Find("ok")->bool_value()) << fhir::WriteJson(tested);

  Call("POST", "/admin/v1/jobs", 201,
       R"({"name": "push-evim", "kind": "push_care_plans", "endpoint": "evim", "every": "1d"})");
  // The file says it too: a restart keeps the change.
  EXPECT_NE(ConfigFileText().find("push-evim"), std::string::npos);

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
  Call("PUT", "/admin/v1/jobs/push-evim", 400,
       R"({"kind": "push_care_plans", "endpoint": "evim", "every": "soon"})");
  Call("PUT", "/admin/v1/jobs/nowhere", 404,
       R"({"kind": "push_care_plans", "endpoint": "evim", "every": "1d"})");
  Call("GET", "/admin/v1/jobs/push-evim/run", 405);
  Call("DELETE", "/admin/v1/jobs/push-evim", 200);
  Call("DELETE", "/admin/v1/jobs/push-evim", 404);
  Call("DELETE", "/admin/v1/endpoints/evim", 200);
  Json gone = Call("DELETE", "/admin/v1/endpoints/evim", 404);
  EXPECT_EQ(Message(gone), "not changed: no endpoint is named \"evim\"");
  Call("GET", "/admin/v1/endpoints/evim", 404);
  Call("GET", "/admin/v1/jobs/push-evim", 404);
  Json no_run = Call("POST", "/admin/v1/jobs/push-evim/run", 404);
  EXPECT_NE(Message(no_run).find("push-evim"), std::string::npos) << fhir::WriteJson(no_run);
  Call("DELETE", "/admin/v1/dead-letters/abc", 400);
  Call("DELETE", "/admin/v1/dead-letters/999", 404);
  EXPECT_EQ(Call("GET", "/admin/v1/dead-letters", 200).Find("dead_letters")->items().size(), 0u);
  Json config = Call("GET", "/admin/v1/config", 200);
  EXPECT_TRUE(config.Find("file_matches_running")->bool_value());
  EXPECT_EQ(config.Find("config")->Find("endpoints")->items().size(), 0u);
}

// PUT /admin/v1/endpoints/{name}: a refused change names the JSON pointer of every problem and
// leaves the file as it was; an accepted one is in the file and used at once (the connection test
// reaches what the changed endpoint now names).
TEST_F(AdminApiTest, AChangedEndpointIsWrittenAndUsedAtOnce) {
  Call("POST", "/admin/v1/endpoints", 201, EndpointJson(partner_.base_url()));
  const std::string file_before = ConfigFileText();

  Json refused = Call("PUT", "/admin/v1/endpoints/evim", 400,
                      R"({"base_url": "http://plain.example/fhir", "organization_npi": "12",
                          "timeout_seconds": 0, "colour": "blue"})");
  std::vector<std::string> pointers = ProblemPointers(refused);
  for (const char* pointer : {"/base_url", "/organization_npi", "/timeout_seconds", "/colour"}) {
    EXPECT_NE(std::find(pointers.begin(), pointers.end(), pointer), pointers.end())
        << pointer << " in " << fhir::WriteJson(refused);
  }
  EXPECT_EQ(Message(refused).rfind("not changed: ", 0), 0u) << Message(refused);
  Json renamed = Call("PUT", "/admin/v1/endpoints/evim", 400,
                      R"({"name": "evim2", "base_url": "https://other.example/fhir",
                          "organization_npi": "1620193841"})");
  EXPECT_EQ(ProblemPointers(renamed), std::vector<std::string>{"/name"})
      << fhir::WriteJson(renamed);
  Json not_json = Call("PUT", "/admin/v1/endpoints/evim", 400, "base_url=x");
  EXPECT_NE(fhir::WriteJson(not_json).find("the body is not JSON"), std::string::npos)
      << fhir::WriteJson(not_json);
  Call("PUT", "/admin/v1/endpoints/evim", 400, "[]");
  Json unknown = Call("PUT", "/admin/v1/endpoints/nowhere", 404, Unnamed(partner_.base_url()));
  EXPECT_NE(Message(unknown).find("no endpoint is named \"nowhere\""), std::string::npos)
      << fhir::WriteJson(unknown);
  Call("PATCH", "/admin/v1/endpoints/evim", 405, "{}");
  EXPECT_EQ(ConfigFileText(), file_before) << "a refused change writes nothing";
  EXPECT_TRUE(Call("POST", "/admin/v1/endpoints/evim/test", 200).Find("ok")->bool_value());

  // Pointed at a path the partner does not serve (the name left out of the body): in the file,
  // in GET, and the connection test now fails there.
  Json changed =
      Call("PUT", "/admin/v1/endpoints/evim", 200, Unnamed(partner_.base_url() + "/moved"));
  EXPECT_NE(changed.StringOr("message").find("in effect now"), std::string::npos);
  EXPECT_EQ(Call("GET", "/admin/v1/endpoints/evim", 200).StringOr("base_url"),
            partner_.base_url() + "/moved/fhir");
  EXPECT_NE(ConfigFileText().find(partner_.base_url() + "/moved/fhir"), std::string::npos);
  Json failing = Call("POST", "/admin/v1/endpoints/evim/test", 200);
  EXPECT_FALSE(failing.Find("ok")->bool_value()) << fhir::WriteJson(failing);
  EXPECT_NE(fhir::WriteJson(failing).find("/moved/fhir/metadata"), std::string::npos)
      << fhir::WriteJson(failing);
  EXPECT_TRUE(Call("GET", "/admin/v1/config", 200).Find("file_matches_running")->bool_value());

  Call("PUT", "/admin/v1/endpoints/evim", 200, EndpointJson(partner_.base_url()));
  EXPECT_TRUE(Call("POST", "/admin/v1/endpoints/evim/test", 200).Find("ok")->bool_value());
  Call("POST", "/admin/v1/endpoints/nowhere/test", 404);
  Call("GET", "/admin/v1/endpoints/evim/test", 405);
}

// The connection test reports the partner's server certificate (subject, expiry as ISO 8601 UTC,
// days left), and the gateway keeps each endpoint's last check: GET /endpoints returns it with
// the last run of each job that uses the endpoint, after a restart too; /metrics exports the
// expiry; `duet endpoints test` prints it.
TEST_F(AdminApiTest, TheConnectionTestReportsTheCertificateAndIsKept) {
  ProcessResult enddate =
      RunProcess({"openssl", "x509", "-noout", "-enddate", "-in", TestCertsDir() + "/server.pem"});
  ASSERT_EQ(enddate.exit_code, 0) << enddate.err;
  const int64_t not_after =
      fhir::ParseCertificateTime(enddate.out.substr(enddate.out.find('=') + 1));
  ASSERT_GT(not_after, 0) << enddate.out;
  std::string expires = fhir::FormatInstantMillis(not_after * 1000);
  expires = expires.substr(0, expires.size() - 5) + "Z";  // no milliseconds

  Call("POST", "/admin/v1/endpoints", 201, EndpointJson(partner_.base_url()));
  Call("POST", "/admin/v1/jobs", 201,
       R"({"name": "push-evim", "kind": "push_care_plans", "endpoint": "evim", "every": "1d"})");
  Json before = Call("GET", "/admin/v1/endpoints", 200);
  ASSERT_NE(before.Find("health"), nullptr) << fhir::WriteJson(before);
  const Json* evim = before.Find("health")->Find("evim");
  ASSERT_NE(evim, nullptr) << fhir::WriteJson(before);
  EXPECT_EQ(evim->Find("last_check"), nullptr) << "never tested";
  ASSERT_EQ(evim->Find("jobs")->items().size(), 1u);
  EXPECT_EQ(evim->Find("jobs")->items()[0].StringOr("name"), "push-evim");

  Json tested = Call("POST", "/admin/v1/endpoints/evim/test", 200);
  ASSERT_NE(tested.Find("certificate"), nullptr) << fhir::WriteJson(tested);
  EXPECT_NE(tested.Find("certificate")->StringOr("subject").find("CN"), std::string::npos);
  EXPECT_EQ(tested.Find("certificate")->StringOr("expires"), expires);
  EXPECT_EQ(tested.Find("certificate")->Find("expires_at")->number_text(),
            std::to_string(not_after));
  EXPECT_GT(std::stoll(tested.Find("certificate")->Find("days_left")->number_text()), 30);
  std::string checks = fhir::WriteJson(*tested.Find("checks"));
  EXPECT_NE(checks.find(R"("outcome":"ok","check":"server certificate")"), std::string::npos)
      << checks;
  EXPECT_NE(checks.find("expires " + expires), std::string::npos) << checks;

  // Kept in the store: still there after a restart, with the job's last sync beside it.
  RunJobNow("push-evim");
  ASSERT_TRUE(practice_.Restart().ok()) << practice_.log();
  Json after = Call("GET", "/admin/v1/endpoints", 200);
  const Json* kept = after.Find("health")->Find("evim");
  ASSERT_NE(kept->Find("last_check"), nullptr) << fhir::WriteJson(after);
  const Json& last_check = *kept->Find("last_check");
  EXPECT_TRUE(last_check.Find("ok")->bool_value());
  EXPECT_EQ(last_check.Find("checked_at")->number_text(), tested.Find("checked_at")->number_text());
  EXPECT_EQ(last_check.Find("certificate")->StringOr("expires"), expires);
  EXPECT_EQ(last_check.Find("certificate")->StringOr("subject"),
            tested.Find("certificate")->StringOr("subject"));
  EXPECT_NE(kept->Find("jobs")->items()[0].Find("last_run"), nullptr) << fhir::WriteJson(after);

  HttpsResponse metrics = admin_->Get("/metrics");
  EXPECT_NE(
      metrics.body.find("duet_partner_certificate_expiry_timestamp_seconds{endpoint=\"evim\"} " +
                        std::to_string(not_after)),
      std::string::npos)
      << metrics.body.substr(0, 4000);

  ProcessResult cli = RunDuet({"endpoints", "test", "--config", practice_.config_path(), "evim"});
  EXPECT_EQ(cli.exit_code, 0) << cli.out << cli.err;
  EXPECT_NE(cli.out.find("server certificate: "), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("expires " + expires), std::string::npos) << cli.out;

  // A failing check is kept with its reason; a removed endpoint's check is forgotten.
  std::string moved = EndpointJson(partner_.base_url() + "/moved");
  Call("PUT", "/admin/v1/endpoints/evim", 200, moved);
  Call("POST", "/admin/v1/endpoints/evim/test", 200);
  Json failing_list = Call("GET", "/admin/v1/endpoints", 200);
  const Json* failing = failing_list.Find("health")->Find("evim")->Find("last_check");
  ASSERT_NE(failing, nullptr) << fhir::WriteJson(failing_list);
  EXPECT_FALSE(failing->Find("ok")->bool_value());
  EXPECT_NE(failing->StringOr("message").find("TLS/metadata: "), std::string::npos)
      << fhir::WriteJson(*failing);
  Call("DELETE", "/admin/v1/jobs/push-evim", 200);
  Call("DELETE", "/admin/v1/endpoints/evim", 200);
  Call("POST", "/admin/v1/endpoints", 201, EndpointJson(partner_.base_url()));
  EXPECT_EQ(
      Call("GET", "/admin/v1/endpoints", 200).Find("health")->Find("evim")->Find("last_check"),
      nullptr);
}

// A real dead letter: the partner (a real `duet serve`) refuses our transaction with 413, which no
// retry can help. The admin lists it, retries it once the partner is fixed (the next run delivers
// it), and discards another one for good.
TEST_F(AdminApiTest, ADeadLetterIsListedRetriedAndDiscarded) {
  UploadSharedPlan();
  RestartPartnerWithBodyLimit(1024);
  Call("POST", "/admin/v1/endpoints", 201, EndpointJson(partner_.base_url()));
  Call("POST", "/admin/v1/jobs", 201,
       R"({"name": "push-evim", "kind": "push_care_plans", "endpoint": "evim", "every": "1d"})");

  Json job = RunJobNow("push-evim");
  EXPECT_EQ(job.Find("dead_items")->number_text(), "1") << fhir::WriteJson(job);
  EXPECT_EQ(job.Find("pending_items")->number_text(), "0") << fhir::WriteJson(job);
  std::vector<Json> dead = DeadLetters();
  ASSERT_EQ(dead.size(), 1u) << practice_.log();
  EXPECT_EQ(dead[0].StringOr("job"), "push-evim");
  EXPECT_EQ(dead[0].StringOr("state"), "dead");
  EXPECT_EQ(std::string(dead[0].StringOr("key")).rfind("CarePlan/", 0), 0u);
  EXPECT_NE(dead[0].StringOr("last_error").find("413"), std::string::npos)
      << fhir::WriteJson(dead[0]);
  EXPECT_EQ(DeadLetters("?job=push-evim").size(), 1u);
  EXPECT_EQ(DeadLetters("?job=other").size(), 0u);
  EXPECT_EQ(PlansAtPartner().find("\"total\":1"), std::string::npos);

  // Refused: unknown ids and jobs, wrong methods.
  Json unknown = Call("DELETE", "/admin/v1/dead-letters/999999", 404);
  EXPECT_EQ(Message(unknown), "no dead letter has id 999999");
  Json not_a_number = Call("DELETE", "/admin/v1/dead-letters/x1", 400);
  EXPECT_NE(Message(not_a_number).find("a dead letter id is a number"), std::string::npos);
  Json no_job = Call("POST", "/admin/v1/dead-letters/retry?job=nowhere", 404);
  EXPECT_EQ(Message(no_job), "no job is named \"nowhere\"");
  Call("GET", "/admin/v1/dead-letters/retry", 405);
  Call("POST", "/admin/v1/dead-letters", 405);
  EXPECT_EQ(DeadLetters().size(), 1u);

  // The partner is fixed; the retry moves the letter back to the outbox and the next run sends it.
  RestartPartnerWithBodyLimit(0);
  EXPECT_EQ(Call("POST", "/admin/v1/dead-letters/retry?job=push-evim", 200)
                .Find("retried")
                ->number_text(),
            "1");
  EXPECT_TRUE(DeadLetters().empty());
  EXPECT_EQ(Call("GET", "/admin/v1/jobs/push-evim", 200).Find("pending_items")->number_text(), "1");
  job = RunJobNow("push-evim");
  ASSERT_NE(job.Find("last_run"), nullptr) << fhir::WriteJson(job);
  EXPECT_EQ(job.Find("last_run")->Find("sent")->number_text(), "1") << fhir::WriteJson(job);
  EXPECT_EQ(job.Find("pending_items")->number_text(), "0");
  EXPECT_EQ(job.Find("dead_items")->number_text(), "0");
  EXPECT_NE(PlansAtPartner().find("\"total\":1"), std::string::npos) << PlansAtPartner();

  // A changed plan the partner refuses again becomes a dead letter; discarded, it is gone.
  RestartPartnerWithBodyLimit(1024);
  Json changed = PrfFixture("plan_of_care.json");
  changed.Find("frequency")->Set("weeks", Json::Integer(10));
  changed.Set("updated_at", Json::String("2025-02-01T10:00:00Z"));
  ASSERT_EQ(admin_->Post("/practice/v1/records", fhir::WriteJson(changed), kJson).status, 200);
  RunJobNow("push-evim");
  dead = DeadLetters();
  ASSERT_EQ(dead.size(), 1u) << practice_.log();
  std::string id = dead[0].Find("id")->number_text();
  EXPECT_EQ(Call("DELETE", "/admin/v1/dead-letters/" + id, 200).Find("discarded")->number_text(),
            id);
  EXPECT_TRUE(DeadLetters().empty());
  Json gone = Call("DELETE", "/admin/v1/dead-letters/" + id, 404);
  EXPECT_EQ(Message(gone), "no dead letter has id " + id);
  job = Call("GET", "/admin/v1/jobs/push-evim", 200);
  EXPECT_EQ(job.Find("pending_items")->number_text(), "0");
  EXPECT_EQ(job.Find("dead_items")->number_text(), "0");
  EXPECT_EQ(Call("POST", "/admin/v1/dead-letters/retry", 200).Find("retried")->number_text(), "0");
}

// The read-only routes (config, sync history, audit) answer what they serve and refuse the rest
// with a message; unknown admin routes are 404.
TEST_F(AdminApiTest, ReadOnlyRoutesAnswerAndRefuseWhatTheyDoNotServe) {
  Json config = Call("GET", "/admin/v1/config", 200);
  EXPECT_EQ(config.StringOr("file"), practice_.config_path());
  EXPECT_NE(config.Find("config")->Find("tls"), nullptr) << fhir::WriteJson(config);
  HttpsResponse put_config = admin_->Put("/admin/v1/config", "{}", kJson);
  EXPECT_EQ(put_config.status, 405) << put_config.body;
  ASSERT_NE(put_config.Header("Allow"), nullptr);
  EXPECT_EQ(*put_config.Header("Allow"), "GET");

  Json history = Call("GET", "/admin/v1/sync/history", 200);
  EXPECT_EQ(history.Find("days")->number_text(), "14");
  EXPECT_TRUE(history.Find("history")->items().empty());
  for (const char* days : {"0", "367", "abc", "7d"}) {
    Json refused = Call("GET", std::string("/admin/v1/sync/history?days=") + days, 400);
    EXPECT_EQ(Message(refused), "days must be a whole number from 1 to 366") << days;
  }
  Call("POST", "/admin/v1/sync/history", 405);

  HttpsResponse audit = admin_->Get("/admin/v1/audit?_count=5");
  EXPECT_EQ(audit.status, 200) << audit.body;
  EXPECT_EQ(ParseOrFail(audit.body).StringOr("resourceType"), "Bundle");
  Json bad_audit = Call("GET", "/admin/v1/audit?since=soon&_count=-1", 400);
  std::string problems = fhir::WriteJson(bad_audit);
  EXPECT_NE(problems.find(R"("parameter":"since")"), std::string::npos) << problems;
  EXPECT_NE(problems.find(R"("parameter":"_count")"), std::string::npos) << problems;
  HttpsResponse post_audit = admin_->Post("/admin/v1/audit", "{}", kJson);
  EXPECT_EQ(post_audit.status, 405) << post_audit.body;

  Json unknown = Call("GET", "/admin/v1/nothing-here", 404);
  EXPECT_NE(Message(unknown).find("/nothing-here"), std::string::npos) << fhir::WriteJson(unknown);
  Call("GET", "/admin/v1/sync/other", 404);
  Call("GET", "/admin/v1/endpoints/evim/test/more", 404);
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
