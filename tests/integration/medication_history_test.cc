// FHIR-MAPPING.md §5 scenario 7 end to end, with real processes over mutual TLS: two
// medication-history sources (Duet instances standing for a PBM claims feed and a pharmacy feed)
// hold Maria Lopez's lisinopril fills, one of them reported by both; the practice's gateway pulls
// from both and holds 3 MedicationDispenses, 1 MedicationStatement (2024-11-02 → 2025-01-30,
// active as of 2025-01-20) and a Provenance naming both sources, which pulling again leaves
// alone, and which the practice API shows as the patient's medication list.
#include <gtest/gtest.h>

#include <thread>

#include "fhir/json.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;

const HeaderList kJson = {{"Content-Type", "application/json"}};

// A source requiring client certificates from the test CA.
TestServerOptions SourceOptions() {
  TestServerOptions options;
  options.extra_config = ParseOrFail(R"({"tls":{"client_ca":")" + TestCertsDir() + R"(/ca.pem"}})");
  return options;
}

std::string Endpoint(const std::string& name, const std::string& base, const std::string& npi) {
  std::string certs = TestCertsDir();
  return R"({"name": ")" + name + R"(", "base_url": ")" + base + R"(/fhir",
             "organization_npi": ")" +
         npi + R"(", "timeout_seconds": 5,
             "tls": {"ca_file": ")" +
         certs + R"(/ca.pem", "client_certificate": ")" + certs +
         R"(/client.pem", "client_key": ")" + certs + R"(/client.key"}})";
}

std::string Job(const std::string& endpoint) {
  return R"({"name": "medhx-)" + endpoint + R"(", "kind": "pull_medication_history",
             "endpoint": ")" +
         endpoint + R"(", "every": "1d", "repull_every": "10s",
             "as_of": "2025-01-20"})";
}

std::vector<Json> Entries(const Json& bundle) { return EntryResources(bundle); }

class MedicationHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpsClientOptions mutual = MutualTlsClientOptions();
    for (auto& [source, fixture] :
         {std::pair{&pbm_, "pbm-claims.json"}, std::pair{&pharmacy_, "pharmacy-fills.json"}}) {
      ASSERT_TRUE(source->Start().ok()) << source->log();
      HttpsResponse loaded = source->Client(mutual).Post(
          "/fhir", FixtureText("medication-history/" + std::string(fixture)), kFhirJson);
      ASSERT_EQ(loaded.status, 200) << loaded.body.substr(0, 1500);
    }
    TestServerOptions options;
    options.extra_config =
        ParseOrFail(R"({"endpoints": [)" + Endpoint("pbm", pbm_.base_url(), "1407196439") + "," +
                    Endpoint("pharmacy", pharmacy_.base_url(), "1619962479") + R"(],
            "jobs": [)" +
                    Job("pbm") + "," + Job("pharmacy") + "]}");
    practice_ = std::make_unique<TestServer>(std::move(options));
    Status started = practice_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  HttpsClient Practice() { return practice_->Client(); }
  ProcessResult Sync(const std::string& command, std::vector<std::string> jobs = {}) {
    std::vector<std::string> args = {"sync", command, "--config", practice_->config_path()};
    args.insert(args.end(), jobs.begin(), jobs.end());
    return RunDuet(args, std::chrono::seconds(60));
  }
  Json Get(const std::string& target) {
    HttpsResponse response = Practice().Get(target);
    EXPECT_EQ(response.status, 200) << target << "\n" << response.body.substr(0, 1000);
    return ParseOrFail(response.body);
  }

  TestServer pbm_{SourceOptions()};
  TestServer pharmacy_{SourceOptions()};
  std::unique_ptr<TestServer> practice_;
};

TEST_F(MedicationHistoryTest, TwoSourcesMergeIntoOneMedicationThatRePullsLeaveAlone) {
  Json batch = ParseOrFail(
      R"({"record":"batch","records":[)" + FixtureText("prf/patient.json") + "," +
      FixtureText("prf/provider.json") + "," + FixtureText("prf/provider-ot.json") + "," +
      FixtureText("prf/provider-referring.json") + "," + FixtureText("prf/referral.json") + "]}");
  HttpsResponse uploaded = Practice().Post("/practice/v1/records", fhir::WriteJson(batch), kJson);
  ASSERT_EQ(uploaded.status, 200) << uploaded.body.substr(0, 1500);
  uploaded = Practice().Post("/practice/v1/records", FixtureText("prf/plan_of_care.json"), kJson);
  ASSERT_EQ(uploaded.status, 200) << uploaded.body.substr(0, 1500);

  // The pull jobs write resources: with the gateway serving they run on its schedule only.
  ProcessResult refused = Sync("run", {"medhx-pbm"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("a gateway is serving"), std::string::npos) << refused.err;
  ASSERT_EQ(practice_->Stop(), 0) << practice_->log();

  ProcessResult pulled = Sync("run", {"medhx-pbm", "medhx-pharmacy"});
  ASSERT_EQ(pulled.exit_code, 0) << pulled.out << pulled.err;
  EXPECT_NE(pulled.out.find("medhx-pbm: ok - 1 patient(s) pulled from pbm as of 2025-01-20"),
            std::string::npos)
      << pulled.out;
  EXPECT_NE(pulled.out.find("medhx-pharmacy: ok - 1 patient(s) pulled from pharmacy"),
            std::string::npos)
      << pulled.out;
  std::this_thread::sleep_for(std::chrono::seconds(11));  // repull_every: 10s
  ProcessResult again = Sync("run", {"medhx-pbm", "medhx-pharmacy"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("medhx-pbm: ok - 1 patient(s) pulled"), std::string::npos) << again.out;
  ProcessResult status = Sync("status");
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_NE(status.out.find("dead letters: 0"), std::string::npos) << status.out;

  ASSERT_TRUE(practice_->Start().ok()) << practice_->log();
  std::vector<Json> dispenses = Entries(Get("/fhir/MedicationDispense"));
  ASSERT_EQ(dispenses.size(), 3u);
  for (const Json& dispense : dispenses) {
    // The fill both report was written by the first source's pull and named the second source
    // at the second's; pulling again wrote nothing.
    bool both = dispense.StringOr("whenHandedOver") == "2024-12-01";
    EXPECT_EQ(dispense.Find("meta")->StringOr("versionId"), both ? "2" : "1")
        << fhir::WriteJson(dispense);
  }
  std::string patient(Entries(Get("/fhir/Patient"))[0].StringOr("id"));
  Json bundle = Get("/fhir/MedicationStatement?patient=Patient/" + patient +
                    "&_revinclude=Provenance:target");
  std::vector<Json> statements, provenances;
  for (Json& resource : Entries(bundle)) {
    (resource.StringOr("resourceType") == "Provenance" ? provenances : statements)
        .push_back(std::move(resource));
  }
  ASSERT_EQ(statements.size(), 1u) << fhir::WriteJson(bundle).substr(0, 2000);
  const Json& statement = statements[0];
  EXPECT_EQ(statement.StringOr("status"), "active");
  EXPECT_EQ(statement.Find("effectivePeriod")->StringOr("start"), "2024-11-02");
  EXPECT_EQ(statement.Find("effectivePeriod")->StringOr("end"), "2025-01-30");
  EXPECT_NE(fhir::WriteJson(*statement.Find("medicationCodeableConcept")).find("\"314076\""),
            std::string::npos);
  EXPECT_EQ(statement.Find("meta")->StringOr("versionId"), "2")
      << "created by the first source's pull, completed by the second's, then left alone";
  ASSERT_EQ(provenances.size(), 1u);
  std::string provenance = fhir::WriteJson(provenances[0]);
  EXPECT_NE(provenance.find(R"("value":"1407196439"},"display":"pbm")"), std::string::npos)
      << provenance;
  EXPECT_NE(provenance.find(R"("value":"1619962479"},"display":"pharmacy")"), std::string::npos)
      << provenance;
  EXPECT_EQ(Entries(Get("/fhir/List")).size(), 0u) << "the practice's own list is not written";

  Json list = Get("/practice/v1/medication_lists/PT-004512");
  ASSERT_EQ(list.Find("medications")->items().size(), 1u) << fhir::WriteJson(list);
  const Json& lisinopril = list.Find("medications")->items()[0];
  EXPECT_EQ(lisinopril.StringOr("rxnorm"), "314076");
  EXPECT_EQ(lisinopril.StringOr("status"), "active");
  EXPECT_EQ(lisinopril.StringOr("prescriber_npi"), "1234567893");
  EXPECT_EQ(lisinopril.StringOr("first_fill"), "2024-11-02");
  EXPECT_EQ(lisinopril.StringOr("last_fill"), "2024-12-31");
  const auto& fills = lisinopril.Find("fills")->items();
  ASSERT_EQ(fills.size(), 3u);
  EXPECT_EQ(fills[1].StringOr("date"), "2024-12-01");
  EXPECT_EQ(fills[1].StringOr("source_name"), "pbm + pharmacy (duplicate collapsed)");
}

}  // namespace
}  // namespace duet::test
