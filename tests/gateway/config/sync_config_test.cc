#include "gateway/config/sync_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "gateway/config/gateway_config.h"

namespace duet::gateway {
namespace {

// A directory with the files an endpoint names (a token, a key, a CA bundle).
class SyncConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/duet-sync-config-XXXXXX";
    dir_ = mkdtemp(pattern);
    for (const char* name :
         {"partner-ca.pem", "client.pem", "client-key.pem", "token", "smart-key.pem"}) {
      std::ofstream(dir_ + "/" + name) << "x\n";
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  StatusOr<GatewayConfig> Parse(const std::string& sync_members) {
    return ParseGatewayConfig(R"({
      "listen": {"host": "localhost", "port": 8443},
      "tls": {"certificate": "c.pem", "private_key": "k.pem"},
      "store": {"path": ":memory:"},
      "practice": {"identifier_base": "https://sunrise-pt.example/sid"},
      "auth": {"mode": "development"},
)" + sync_members + "}",
                              dir_);
  }

  std::string dir_;
};

TEST_F(SyncConfigTest, ReadsEndpointsAndJobs) {
  auto config = Parse(R"(
    "endpoints": [
      {"name": "evim", "base_url": "https://fhir.evim.example/r4/", "organization_npi": "1620193841",
       "timeout_seconds": 20,
       "tls": {"ca_file": "partner-ca.pem", "client_certificate": "client.pem", "client_key": "client-key.pem"},
       "auth": {"method": "bearer", "token_file": "token"}},
      {"name": "ortho", "base_url": "https://ehr.ortho.example/fhir", "organization_npi": "1987654328",
       "auth": {"method": "smart", "client_id": "duet-sunrise", "token_url": "https://ehr.ortho.example/token",
                "private_key_file": "smart-key.pem", "kid": "2026-11", "algorithm": "RS384",
                "scopes": "system/ServiceRequest.rs system/Task.cruds"}}],
    "jobs": [
      {"name": "push-plans", "kind": "push_care_plans", "endpoint": "evim", "every": "15m"},
      {"name": "push-ortho", "kind": "push_care_plans", "endpoint": "ortho", "cron": "*/10 7-19 * * mon-fri"}]
  )");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->endpoints.size(), 2u);
  const EndpointConfig& evim = config->endpoints[0];
  EXPECT_EQ(evim.base_url, "https://fhir.evim.example/r4");
  EXPECT_EQ(evim.timeout_seconds, 20);
  EXPECT_EQ(evim.tls.ca_file, dir_ + "/partner-ca.pem");
  EXPECT_EQ(evim.auth.method, "bearer");
  EXPECT_EQ(evim.auth.token_file, dir_ + "/token");
  const EndpointConfig& ortho = config->endpoints[1];
  EXPECT_EQ(ortho.timeout_seconds, 30);
  EXPECT_EQ(ortho.auth.algorithm, "RS384");
  EXPECT_EQ(ortho.auth.key_id, "2026-11");
  ASSERT_EQ(config->jobs.size(), 2u);
  EXPECT_EQ(config->jobs[0].every_seconds, 900);
  EXPECT_EQ(config->jobs[1].cron, "*/10 7-19 * * mon-fri");
  // What `duet endpoints list` shows names files, never their contents.
  EXPECT_EQ(fhir::WriteJson(EndpointToJson(evim)).find("\"x\\n\""), std::string::npos);
}

TEST_F(SyncConfigTest, EveryProblemIsNamedByItsPointer) {
  auto config = Parse(R"(
    "endpoints": [
      {"name": "Evim!", "base_url": "http://fhir.evim.example", "organization_npi": "1620193842",
       "tls": {"client_certificate": "client.pem"},
       "auth": {"method": "bearer", "token_file": "missing-token"}},
      {"name": "b", "base_url": "https://b.example", "organization_npi": "1987654328",
       "auth": {"method": "smart", "client_id": "c", "token_url": "https://b.example/token",
                "private_key_file": "smart-key.pem", "kid": "k", "algorithm": "HS256", "scopes": "patient/*.read"}},
      {"name": "b", "base_url": "https://c.example", "organization_npi": "1987654328", "colour": "red"}],
    "jobs": [
      {"name": "j", "kind": "push_everything", "endpoint": "nowhere", "every": "5s"},
      {"name": "k", "kind": "push_care_plans", "endpoint": "b", "cron": "61 * * * *"},
      {"name": "l", "kind": "push_care_plans", "endpoint": "b"}]
  )");
  ASSERT_FALSE(config.ok());
  const std::string& message = config.status().message();
  for (const char* expected :
       {"/endpoints/0/name: use 1-64", "/endpoints/0/base_url: must be an https URL",
        "/endpoints/0/organization_npi: \"1620193842\" is not a valid NPI",
        "/endpoints/0/tls: client_certificate and client_key go together",
        "/endpoints/0/auth/token_file: no such file", "/endpoints/1/auth/algorithm: must be ES384",
        "/endpoints/1/auth/scopes: backend services ask for system/ scopes",
        "/endpoints/2/name: \"b\" is used twice", "/endpoints/2/colour: unknown field",
        "/jobs/0/kind: must be one of the job kinds this version runs: push_care_plans, "
        "pull_referrals, push_referral_status",
        "/jobs/0/endpoint: no endpoint is named \"nowhere\"",
        "/jobs/0/every: must be an interval of at least 10s", "/jobs/1/cron: minute: 61 is outside",
        "/jobs/2: give exactly one schedule"}) {
    EXPECT_NE(message.find(expected), std::string::npos) << expected << "\n" << message;
  }
}

TEST_F(SyncConfigTest, MedicationHistoryJobsTakeARePullIntervalAndAnAsOfDate) {
  std::string endpoint = R"(
    "endpoints": [{"name": "pbm", "base_url": "https://medhx.example/fhir",
                   "organization_npi": "1407196439"}],)";
  auto config = Parse(endpoint + R"(
    "jobs": [{"name": "medhx", "kind": "pull_medication_history", "endpoint": "pbm",
              "every": "1h", "repull_every": "2d", "as_of": "2025-01-20"},
             {"name": "medhx-default", "kind": "pull_medication_history", "endpoint": "pbm",
              "every": "1h"}]
  )");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->jobs[0].repull_every_seconds, 2 * 86400);
  EXPECT_EQ(config->jobs[0].as_of, "2025-01-20");
  EXPECT_EQ(config->jobs[1].repull_every_seconds, 7 * 86400);
  EXPECT_EQ(config->jobs[1].as_of, "");

  auto wrong = Parse(endpoint + R"(
    "jobs": [{"name": "a", "kind": "pull_medication_history", "endpoint": "pbm", "every": "1h",
              "repull_every": "5s", "as_of": "2025-02-30"},
             {"name": "b", "kind": "push_care_plans", "endpoint": "pbm", "every": "1h",
              "as_of": "2025-01-20"}]
  )");
  ASSERT_FALSE(wrong.ok());
  for (const char* expected : {"/jobs/0/repull_every: must be an interval of at least 10s",
                               "/jobs/0/as_of: must be a date YYYY-MM-DD (got \"2025-02-30\")",
                               "/jobs/1/as_of: only pull_medication_history jobs take this"}) {
    EXPECT_NE(wrong.status().message().find(expected), std::string::npos)
        << expected << "\n"
        << wrong.status().message();
  }
}

TEST_F(SyncConfigTest, PullingReferralsNeedsThePracticeNpi) {
  std::string jobs = R"(
    "endpoints": [{"name": "evim", "base_url": "https://fhir.evim.example/r4",
                   "organization_npi": "1620193841"}],
    "jobs": [{"name": "pull-evim", "kind": "pull_referrals", "endpoint": "evim", "every": "5m"},
             {"name": "status-evim", "kind": "push_referral_status", "endpoint": "evim",
              "every": "5m"}])";
  auto missing = Parse(jobs);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(
                "/practice/organization_npi: required by job pull-evim (pull_referrals"),
            std::string::npos)
      << missing.status().message();

  auto with_npi = ParseGatewayConfig(R"({
      "listen": {"host": "localhost", "port": 8443},
      "tls": {"certificate": "c.pem", "private_key": "k.pem"},
      "store": {"path": ":memory:"},
      "practice": {"identifier_base": "https://sunrise-pt.example/sid",
                   "organization_npi": "1987654328"},
      "auth": {"mode": "development"},)" +
                                         jobs + "}",
                                     dir_);
  ASSERT_TRUE(with_npi.ok()) << with_npi.status().ToString();
  EXPECT_EQ(with_npi->practice.organization_npi, "1987654328");
  EXPECT_EQ(with_npi->jobs[0].kind, "pull_referrals");
  EXPECT_EQ(with_npi->jobs[1].kind, "push_referral_status");

  auto bad = ParseGatewayConfig(R"({
      "listen": {"host": "localhost", "port": 8443},
      "tls": {"certificate": "c.pem", "private_key": "k.pem"},
      "store": {"path": ":memory:"},
      "practice": {"identifier_base": "https://sunrise-pt.example/sid",
                   "organization_npi": "1987654320"}})",
                                dir_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(
      bad.status().message().find("/practice/organization_npi: \"1987654320\" is not a valid NPI"),
      std::string::npos)
      << bad.status().message();
}

TEST(IntervalTest, ParsesUnits) {
  EXPECT_EQ(ParseInterval("90s"), 90);
  EXPECT_EQ(ParseInterval("15m"), 900);
  EXPECT_EQ(ParseInterval("2h"), 7200);
  EXPECT_EQ(ParseInterval("1d"), 86400);
  EXPECT_EQ(ParseInterval("15"), -1);
  EXPECT_EQ(ParseInterval("m"), -1);
  EXPECT_EQ(ParseInterval("-5m"), -1);
}

}  // namespace
}  // namespace duet::gateway
