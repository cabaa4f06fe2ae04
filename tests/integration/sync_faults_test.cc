// The push to a partner through a faulty network: a FaultProxy between the practice's gateway
// and a real partner Duet answers a share of the requests with 503 + Retry-After, drops
// connections before or after the partner did the work, or answers after the gateway's timeout.
// After the sync, the partner holds every shared resource exactly once (one version each) and
// the gateway's outbox is empty.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fhir/json.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;

constexpr size_t kPatients = 8;
const HeaderList kJson = {{"Content-Type", "application/json"}};

std::string Numbered(const char* prefix, int number) {
  char text[32];
  std::snprintf(text, sizeof text, "%s%02d", prefix, number);
  return text;
}

// kPatients patients, each with a plan of care certified by the partner's physician.
Json SharedRecords() {
  Json records = Json::MakeArray();
  for (const char* name : {"provider.json", "provider-ot.json", "provider-referring.json"}) {
    records.Append(PrfFixture(name));
  }
  for (int i = 1; i <= static_cast<int>(kPatients); ++i) {
    Json patient = PrfFixture("patient.json");
    patient.Set("mrn", Json::String(Numbered("PT-7700", i)));
    patient.Remove("insurance");
    Json plan = PrfFixture("plan_of_care.json");
    plan.Set("id", Json::String(Numbered("POC-77", i) + "-1"));
    plan.Set("patient_mrn", Json::String(Numbered("PT-7700", i)));
    plan.Remove("referral_id");
    records.Append(std::move(patient));
    records.Append(std::move(plan));
  }
  Json batch = Json::MakeObject();
  batch.Set("record", Json::String("batch"));
  batch.Set("records", std::move(records));
  return batch;
}

// Faults on two requests in four, never three in a row, so every call gets through within the
// client's three attempts; each kind of fault comes round in turn.
Fault Choose(int number, const ScriptedRequest&) {
  constexpr Fault kCycle[] = {Fault::kUnavailable, Fault::kDropAfter, Fault::kSlow,
                              Fault::kDropBefore};
  int phase = number % 4;
  if (phase > 1) return Fault::kNone;
  return kCycle[(number / 4 + phase) % 4];
}

TestServerOptions PracticeOptions(const std::string& proxy_base) {
  TestServerOptions options;
  options.extra_config = ParseOrFail(R"({
    "endpoints": [{"name": "evim", "base_url": ")" +
                                     proxy_base + R"(/fhir",
                   "organization_npi": "1620193841", "timeout_seconds": 2,
                   "tls": )" + MutualTlsEndpointTlsJson() +
                                     R"(}],
    "jobs": [{"name": "push-evim", "kind": "push_care_plans", "endpoint": "evim", "every": "1d"}]
  })");
  return options;
}

// The number of entries of a searchset or history Bundle (one page is enough here).
size_t Entries(HttpsClient& client, const std::string& query) {
  HttpsResponse response = client.Get("/fhir/" + query + "?_count=1000");
  EXPECT_EQ(response.status, 200) << response.body.substr(0, 300);
  Json bundle = ParseOrFail(response.body);
  const Json* entries = bundle.Find("entry");
  return entries == nullptr ? 0 : entries->items().size();
}

TEST(SyncFaultsTest, EveryPlanArrivesOnceThroughDropsTimeoutsAnd503s) {
  TestServerOptions partner_options;
  partner_options.extra_config =
      ParseOrFail(R"({"tls":{"client_ca":")" + TestCertsDir() + R"(/ca.pem"}})");
  TestServer partner(std::move(partner_options));
  ASSERT_TRUE(partner.Start().ok()) << partner.log();
  FaultProxy proxy(partner.base_url(), MutualTlsClientOptions(), Choose,
                   std::chrono::milliseconds(3000));
  ASSERT_TRUE(proxy.Start().ok());
  TestServer practice(PracticeOptions(proxy.base_url()));
  ASSERT_TRUE(practice.Start().ok()) << practice.log();
  HttpsClient practice_client = practice.Client();
  HttpsResponse uploaded =
      practice_client.Post("/practice/v1/records", fhir::WriteJson(SharedRecords()), kJson);
  ASSERT_EQ(uploaded.status, 200) << uploaded.body.substr(0, 1500);

  ProcessResult run = RunDuet({"sync", "run", "push-evim", "--config", practice.config_path()},
                              std::chrono::seconds(240));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("push-evim: ok - " + std::to_string(kPatients) + " plan(s) of care"),
            std::string::npos)
      << run.out << run.err;
  for (Fault fault : {Fault::kUnavailable, Fault::kDropBefore, Fault::kDropAfter, Fault::kSlow}) {
    EXPECT_GE(proxy.count(fault), 1) << "fault " << static_cast<int>(fault) << " never met";
  }

  HttpsClient partner_client = partner.Client(MutualTlsClientOptions());
  EXPECT_EQ(Entries(partner_client, "CarePlan"), kPatients);
  EXPECT_EQ(Entries(partner_client, "Patient"), kPatients);
  EXPECT_EQ(Entries(partner_client, "Goal"), 3 * kPatients);
  EXPECT_EQ(Entries(partner_client, "Condition"), 3 * kPatients);
  // A Bundle that arrived twice (its answer lost or late) made no second version of anything.
  for (const char* type : {"CarePlan", "Patient", "Goal", "Condition", "CareTeam"}) {
    EXPECT_EQ(Entries(partner_client, std::string(type) + "/_history"),
              Entries(partner_client, std::string(type)))
        << type;
  }

  ProcessResult status = RunDuet({"sync", "status", "--config", practice.config_path()});
  EXPECT_NE(status.out.find("waiting: 0"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("dead letters: 0"), std::string::npos) << status.out;
  int before = proxy.requests();
  ProcessResult again = RunDuet({"sync", "run", "push-evim", "--config", practice.config_path()},
                                std::chrono::seconds(120));
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("0 plan(s) of care pushed"), std::string::npos) << again.out;
  EXPECT_EQ(proxy.requests(), before) << "nothing new to send";
  proxy.Stop();
}

}  // namespace
}  // namespace duet::test
