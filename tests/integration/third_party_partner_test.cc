// Against a FHIR server that is not ours, Medplum's FHIR engine behind nginx (tests/partner/),
// over mutual TLS with a bearer token, installed and started by the project's own scripts:
// push_care_plans, and the transaction Bundles `duet convert to-fhir` prints, posted as they are.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "fhir/json.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;

const std::string kPartnerScripts = std::string(DUET_SOURCE_DIR) + "/tests/partner";
constexpr char kToken[] = "partner-test-token-5b1d";

Json Fixture(const std::string& name) { return PrfFixture(name); }

// The third-party partner alone: installed once per suite, started per test.
class MedplumPartnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ProcessResult installed =
        RunProcess({kPartnerScripts + "/install.sh"}, "", std::chrono::seconds(280));
    install_error_ = new std::string(installed.exit_code == 0 ? "" : installed.out + installed.err);
  }
  static void TearDownTestSuite() { delete install_error_; }

  void SetUp() override {
    ASSERT_EQ(*install_error_, "") << "tests/partner/install.sh failed";
    char pattern[] = "/tmp/duet-partner-test-XXXXXX";
    dir_ = mkdtemp(pattern);
    std::ofstream(dir_ + "/token") << kToken << "\n";
    port_ = PickFreePort();
    std::string certs = TestCertsDir();
    ProcessResult started =
        RunProcess({kPartnerScripts + "/start.sh", std::to_string(port_), dir_ + "/data",
                    "--tls-cert", certs + "/server.pem", "--tls-key", certs + "/server.key",
                    "--client-ca", certs + "/ca.pem", "--bearer-token-file", dir_ + "/token"},
                   "", std::chrono::seconds(90));
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
    partner_base_ = "https://127.0.0.1:" + std::to_string(port_);
  }
  void TearDown() override {
    RunProcess({kPartnerScripts + "/stop.sh", dir_ + "/data"});
    std::filesystem::remove_all(dir_);
  }

  HttpsClient PartnerClient() const {
    HttpsClientOptions mutual = MutualTlsClientOptions();
    return HttpsClient(partner_base_, mutual);
  }
  HeaderList Authorized(HeaderList headers = {}) const {
    headers.emplace_back("Authorization", std::string("Bearer ") + kToken);
    return headers;
  }
  std::vector<Json> AtPartner(const std::string& query) {
    HttpsResponse response = PartnerClient().Get("/fhir/" + query, Authorized());
    EXPECT_EQ(response.status, 200) << response.body.substr(0, 500);
    return EntryResources(ParseOrFail(response.body));
  }

  static std::string* install_error_;
  std::string dir_;
  int port_ = 0;
  std::string partner_base_;
};
std::string* MedplumPartnerTest::install_error_ = nullptr;

// The partner and a practice gateway whose push job sends it plans of care.
class ThirdPartyPartnerTest : public MedplumPartnerTest {
 protected:
  void SetUp() override {
    MedplumPartnerTest::SetUp();
    if (HasFatalFailure()) return;
    TestServerOptions options;
    options.extra_config = ParseOrFail(R"({
      "endpoints": [{"name": "evim", "base_url": ")" +
                                       partner_base_ + R"(/fhir",
                     "organization_npi": "1620193841", "max_transaction_entries": 8,
                     "tls": )" + MutualTlsEndpointTlsJson() +
                                       R"(,
                     "auth": {"method": "bearer", "token_file": ")" +
                                       dir_ + R"(/token"}}],
      "jobs": [{"name": "push-evim", "kind": "push_care_plans", "endpoint": "evim", "every": "1d"}]
    })");
    practice_ = std::make_unique<TestServer>(std::move(options));
    Status running = practice_->Start();
    ASSERT_TRUE(running.ok()) << running.ToString();
  }
  void TearDown() override {
    practice_.reset();
    MedplumPartnerTest::TearDown();
  }

  void Upload(const Json& records) {
    HttpsResponse response = practice_->Client().Post(
        "/practice/v1/records", fhir::WriteJson(records), {{"Content-Type", "application/json"}});
    ASSERT_EQ(response.status, 200) << response.body.substr(0, 1000);
  }
  ProcessResult Sync() {
    return RunDuet({"sync", "run", "--config", practice_->config_path(), "push-evim"},
                   std::chrono::seconds(90));
  }

  std::unique_ptr<TestServer> practice_;
};

TEST_F(ThirdPartyPartnerTest, PlansOfCareArriveOnceAndChangesFollow) {
  Json people = ParseOrFail(R"({"record":"batch","records":[]})");
  for (const char* name : {"patient.json", "provider.json", "provider-ot.json",
                           "provider-referring.json", "referral.json"}) {
    people.Find("records")->Append(Fixture(name));
  }
  Upload(people);
  Upload(Fixture("plan_of_care.json"));

  ProcessResult first = Sync();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const std::string plan =
      "CarePlan?identifier=https://sunrise-pt.example/sid/plan-of-care%7CPOC-8812-1";
  std::vector<Json> plans = AtPartner(plan);
  ASSERT_EQ(plans.size(), 1u)
      << first.out << "\n"
      << RunDuet({"sync", "status", "--config", practice_->config_path()}).out
      << (AtPartner("CarePlan").empty() ? std::string("no CarePlan at all")
                                        : fhir::WriteJson(AtPartner("CarePlan")[0]).substr(0, 600));
  EXPECT_EQ(AtPartner("Goal?_count=100").size(), 3u);
  EXPECT_EQ(AtPartner("Patient?identifier=https://sunrise-pt.example/sid/mrn%7CPT-004512").size(),
            1u);
  std::string subject(plans[0].Find("subject")->StringOr("reference"));
  EXPECT_EQ(subject.rfind("Patient/", 0), 0u) << subject;
  std::string version(plans[0].Find("meta")->StringOr("versionId"));

  ProcessResult again = Sync();
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("0 plan(s) of care pushed"), std::string::npos) << again.out;
  EXPECT_EQ(AtPartner(plan)[0].Find("meta")->StringOr("versionId"), version);

  Json changed = Fixture("plan_of_care.json");
  changed.Find("frequency")->Set("weeks", Json::Integer(10));
  changed.Set("updated_at", Json::String("2025-02-01T10:00:00Z"));
  Upload(changed);
  ASSERT_EQ(Sync().exit_code, 0);
  std::vector<Json> updated = AtPartner(plan);
  ASSERT_EQ(updated.size(), 1u);
  EXPECT_NE(fhir::WriteJson(updated[0]).find("\"boundsDuration\":{\"value\":10"),
            std::string::npos);
  EXPECT_EQ(AtPartner("Goal?_count=100").size(), 3u) << "upserted, not duplicated";
}

TEST_F(ThirdPartyPartnerTest, AWrongTokenIsReportedWithoutTheToken) {
  std::ofstream(dir_ + "/token") << "not-the-token\n";
  Json people = ParseOrFail(R"({"record":"batch","records":[]})");
  for (const char* name : {"patient.json", "provider.json", "provider-ot.json",
                           "provider-referring.json", "referral.json", "plan_of_care.json"}) {
    people.Find("records")->Append(Fixture(name));
  }
  Upload(people);
  ProcessResult refused = Sync();
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.out.find("HTTP 401"), std::string::npos) << refused.out;
  EXPECT_EQ(refused.out.find("not-the-token"), std::string::npos);
}

// "Type/id" of every resource each entry of a transaction response names, in order.
std::vector<std::string> EntryTargets(const Json& response) {
  std::vector<std::string> targets;
  if (const Json* entries = response.Find("entry")) {
    for (const Json& entry : entries->items()) {
      std::string location(entry.Find("response")->StringOr("location"));
      targets.push_back(location.substr(0, location.find("/_history")));
    }
  }
  return targets;
}

// Every record type's Bundle, as `duet convert to-fhir` prints it, posted as is to Medplum; the
// records that others name first (clinicians, patients), as a practice would send them.
TEST_F(MedplumPartnerTest, ConvertedBundlesPostAsIsAndTwiceCreateNothingNew) {
  const std::vector<std::string> records = {"provider.json",
                                            "provider-ot.json",
                                            "provider-slp.json",
                                            "provider-referring.json",
                                            "provider-orthopedist.json",
                                            "provider-neurologist.json",
                                            "patient.json",
                                            "patient-slp.json",
                                            "referral.json",
                                            "referral-outbound.json",
                                            "plan_of_care.json",
                                            "plan_of_care-ot.json",
                                            "plan_of_care-slp.json",
                                            "home_exercise_program.json",
                                            "medication_list.json",
                                            "nps_response.json",
                                            "education.json"};
  std::map<std::string, std::vector<std::string>> first_targets;
  std::set<std::string> types;
  for (const std::string& record : records) {
    ProcessResult converted =
        RunDuet({"convert", "to-fhir", std::string(DUET_FIXTURES_DIR) + "/prf/" + record});
    ASSERT_EQ(converted.exit_code, 0) << record << ": " << converted.err;
    Json bundle = ParseOrFail(converted.out);
    for (const Json& entry : bundle.Find("entry")->items()) {
      types.insert(std::string(entry.Find("resource")->StringOr("resourceType")));
    }
    HttpsResponse posted = PartnerClient().Post("/fhir", converted.out, Authorized(kFhirJson));
    ASSERT_EQ(posted.status, 200) << record << ": " << posted.body.substr(0, 1000);
    first_targets[record] = EntryTargets(ParseOrFail(posted.body));
  }
  std::map<std::string, size_t> counts;
  for (const std::string& type : types) counts[type] = AtPartner(type + "?_count=1000").size();

  for (const std::string& record : records) {
    ProcessResult converted =
        RunDuet({"convert", "to-fhir", std::string(DUET_FIXTURES_DIR) + "/prf/" + record});
    HttpsResponse again = PartnerClient().Post("/fhir", converted.out, Authorized(kFhirJson));
    ASSERT_EQ(again.status, 200) << record << ": " << again.body.substr(0, 1000);
    // Every entry updated the resource it created the first time (Medplum answers 200).
    EXPECT_EQ(EntryTargets(ParseOrFail(again.body)), first_targets[record]) << record;
  }
  for (const std::string& type : types) {
    EXPECT_EQ(AtPartner(type + "?_count=1000").size(), counts[type]) << type;
  }

  // References between resources of one Bundle (urn:uuid fullUrls) arrive as Type/id.
  std::vector<Json> roles = AtPartner(
      "PractitionerRole?identifier=https://sunrise-pt.example/sid/practitioner-role%7C1245319599");
  ASSERT_EQ(roles.size(), 1u);
  std::string practitioner(roles[0].Find("practitioner")->StringOr("reference"));
  EXPECT_EQ(practitioner.rfind("Practitioner/", 0), 0u) << practitioner;
}

}  // namespace
}  // namespace duet::test
