// The FHIR REST API of a real `duet serve` process over HTTPS: every interaction and its error
// paths, conditional creates under concurrency, and server output fed back through
// `duet validate`.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "fhir/json.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;

Json Parse(const std::string& text) { return ParseOrFail(text); }

std::string ReadFixture(const std::string& relative) {
  std::ifstream in(std::string(DUET_FIXTURES_DIR) + "/" + relative, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// RFC 3986 has no place for a raw '|' in a URI (the HTTP stack refuses it with 400), so token
// searches send it as %7C, as FHIR clients do.
std::string EncodeBars(std::string path) {
  for (size_t at = path.find('|'); at != std::string::npos; at = path.find('|', at)) {
    path.replace(at, 1, "%7C");
  }
  return path;
}

HeaderList With(HeaderList headers, const std::string& name, const std::string& value) {
  headers.emplace_back(name, value);
  return headers;
}

std::string Total(const Json& bundle) {
  const Json* total = bundle.Find("total");
  return total ? total->number_text() : "";
}

// One server for the whole suite: starting it is the slow part.
class FhirApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestServerOptions options;
    Json limits = Json::MakeObject();
    limits.Set("max_body_bytes", Json::Integer(256 * 1024));
    options.extra_config.Set("limits", limits);
    server_ = new TestServer(options);
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    client_ = std::make_unique<HttpsClient>(server_->Client());
  }

  // Sends and checks the status; returns the parsed body (null when empty).
  Json Expect(long status, const std::string& method, const std::string& path,
              const std::string& body = "", const HeaderList& headers = kFhirJson) {
    HttpsResponse response = client_->Send(method, EncodeBars(path), body, headers);
    EXPECT_TRUE(response.ok()) << response.error;
    EXPECT_EQ(response.status, status) << method << " " << path << "\n" << response.body;
    if (response.status >= 400) {
      Json outcome = Parse(response.body);
      EXPECT_EQ(outcome.StringOr("resourceType"), "OperationOutcome") << response.body;
      const std::string* type = response.Header("Content-Type");
      EXPECT_TRUE(type && type->find("application/fhir+json") == 0);
      return outcome;
    }
    return response.body.empty() ? Json() : Parse(response.body);
  }

  std::string NewPatient(const std::string& mrn) {
    Json patient =
        Expect(201, "POST", "/fhir/Patient",
               R"({"resourceType":"Patient","identifier":[{"system":"urn:it:mrn","value":")" + mrn +
                   R"("}],"name":[{"family":"Test"}]})");
    return std::string(patient.StringOr("id"));
  }

  static TestServer* server_;
  std::unique_ptr<HttpsClient> client_;
};

TestServer* FhirApiTest::server_ = nullptr;

TEST_F(FhirApiTest, MetadataIsACapabilityStatement) {
  HttpsResponse response = client_->Get("/fhir/metadata");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(*response.Header("Content-Type"), "application/fhir+json; charset=utf-8");
  Json statement = Parse(response.body);
  EXPECT_EQ(statement.StringOr("resourceType"), "CapabilityStatement");
  EXPECT_EQ(statement.StringOr("fhirVersion"), "4.0.1");
  EXPECT_EQ(statement.Find("implementation")->StringOr("url"), server_->base_url() + "/fhir");
}

TEST_F(FhirApiTest, CreateReadVreadUpdateDeleteHistory) {
  HttpsResponse created = client_->Post(
      "/fhir/CarePlan", ReadFixture("fhir/spec-examples/CarePlan-f201.json"), kFhirJson);
  ASSERT_EQ(created.status, 201) << created.body;
  Json plan = Parse(created.body);
  std::string id(plan.StringOr("id"));
  EXPECT_EQ(*created.Header("Location"),
            server_->base_url() + "/fhir/CarePlan/" + id + "/_history/1");
  EXPECT_EQ(*created.Header("ETag"), "W/\"1\"");
  ASSERT_NE(created.Header("Last-Modified"), nullptr);

  HttpsResponse read = client_->Get("/fhir/CarePlan/" + id);
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body, created.body);
  EXPECT_EQ(*read.Header("ETag"), "W/\"1\"");

  std::string original_status(plan.StringOr("status"));
  plan.Set("status", Json::String("completed"));
  Expect(412, "PUT", "/fhir/CarePlan/" + id, fhir::WriteJson(plan),
         With(kFhirJson, "If-Match", "W/\"2\""));
  Json updated = Expect(200, "PUT", "/fhir/CarePlan/" + id, fhir::WriteJson(plan),
                        With(kFhirJson, "If-Match", "W/\"1\""));
  EXPECT_EQ(updated.Find("meta")->StringOr("versionId"), "2");
  EXPECT_EQ(Expect(200, "GET", "/fhir/CarePlan/" + id + "/_history/1").StringOr("status"),
            original_status);
  EXPECT_EQ(Expect(200, "GET", "/fhir/CarePlan/" + id + "/_history/2").StringOr("status"),
            "completed");

  Expect(204, "DELETE", "/fhir/CarePlan/" + id, "", {});
  Expect(410, "GET", "/fhir/CarePlan/" + id);
  Json history = Expect(200, "GET", "/fhir/CarePlan/" + id + "/_history");
  EXPECT_EQ(Total(history), "3");
  Json type_history = Expect(200, "GET", "/fhir/CarePlan/_history?_count=1");
  EXPECT_EQ(type_history.Find("entry")->items().size(), 1u);
  Expect(200, "GET", "/fhir/_history?_count=5");
}

TEST_F(FhirApiTest, ErrorPathsAnswerOperationOutcomes) {
  Json bad_json = Expect(400, "POST", "/fhir/Patient", R"({"resourceType":"Patient",)");
  EXPECT_NE(fhir::WriteJson(bad_json).find("byte"), std::string::npos);
  Expect(404, "GET", "/fhir/Patient/does-not-exist");
  Expect(404, "GET", "/fhir/Claim/1");
  Expect(405, "PATCH", "/fhir/Patient/1", "[]");
  Expect(405, "DELETE", "/fhir/metadata", "", {});
  Expect(415, "POST", "/fhir/Patient", "<Patient xmlns=\"http://hl7.org/fhir\"/>",
         {{"Content-Type", "application/fhir+xml"}});
  Json invalid =
      Expect(422, "POST", "/fhir/Goal",
             R"({"resourceType":"Goal","lifecycleStatus":"maybe","description":{"text":"x"},
                            "subject":{"reference":"Patient/1"}})");
  EXPECT_NE(fhir::WriteJson(invalid).find("Goal.lifecycleStatus"), std::string::npos);
  std::string big(300 * 1024, ' ');
  Expect(413, "POST", "/fhir/Patient", R"({"resourceType":"Patient","x":")" + big + "\"}");
  std::string id = NewPatient("err-1");
  Expect(409, "POST", "/fhir",
         R"({"resourceType":"Bundle","type":"transaction","entry":[
                           {"request":{"method":"DELETE","url":"Patient/)" +
             id + R"("}},
                           {"request":{"method":"DELETE","url":"Patient/)" +
             id + R"("}}]})");
  Expect(204, "DELETE", "/fhir/Patient/" + id, "", {});
  Expect(410, "GET", "/fhir/Patient/" + id);
  Expect(412, "PUT", "/fhir/Patient/" + id, R"({"resourceType":"Patient","id":")" + id + R"("})",
         With(kFhirJson, "If-Match", "W/\"1\""));
  Expect(400, "GET", "/fhir/Patient?birthdate=yesterday");
  Expect(400, "GET", "/fhir/Patient?unknown-parameter=1");
  // Nothing of a failed request was written.
  Json count = Expect(200, "GET", "/fhir/Goal?_summary=count");
  EXPECT_EQ(Total(count), "0");
}

TEST_F(FhirApiTest, ConditionalInteractions) {
  const std::string patient =
      R"({"resourceType":"Patient","identifier":[{"system":"urn:it:mrn","value":"cond-1"}]})";
  HeaderList if_none = With(kFhirJson, "If-None-Exist", "identifier=urn:it:mrn|cond-1");
  Json first = Expect(201, "POST", "/fhir/Patient", patient, if_none);
  Json second = Expect(200, "POST", "/fhir/Patient", patient, if_none);
  EXPECT_EQ(first.StringOr("id"), second.StringOr("id"));

  const std::string plan =
      R"({"resourceType":"CarePlan","identifier":[{"system":"urn:it:poc","value":"P1"}],
      "status":"active","intent":"plan","subject":{"reference":"Patient/)" +
      std::string(first.StringOr("id")) + R"("}})";
  Json made = Expect(201, "PUT", "/fhir/CarePlan?identifier=urn:it:poc|P1", plan);
  Json again = Expect(200, "PUT", "/fhir/CarePlan?identifier=urn:it:poc|P1", plan);
  EXPECT_EQ(made.StringOr("id"), again.StringOr("id"));
  Expect(204, "DELETE", "/fhir/CarePlan?identifier=urn:it:poc|P1", "", {});
  Expect(410, "GET", "/fhir/CarePlan/" + std::string(made.StringOr("id")));
}

TEST_F(FhirApiTest, SearchPagesIncludesAndSummaries) {
  std::string patient = NewPatient("search-1");
  Json goal =
      Expect(201, "POST", "/fhir/Goal",
             R"({"resourceType":"Goal","lifecycleStatus":"active","description":{"text":"stairs"},
                         "subject":{"reference":"Patient/)" +
                 patient + R"("}})");
  for (int i = 0; i < 7; ++i) {
    Expect(201, "POST", "/fhir/CarePlan",
           R"({"resourceType":"CarePlan","status":")" + std::string(i % 2 ? "active" : "draft") +
               R"(","intent":"plan","subject":{"reference":"Patient/)" + patient +
               R"("},"period":{"start":"2026-0)" + std::to_string(i + 1) + R"(-01","end":"2026-0)" +
               std::to_string(i + 1) + R"(-28"},"goal":[{"reference":"Goal/)" +
               std::string(goal.StringOr("id")) + R"("}]})");
  }
  std::string path = "/fhir/CarePlan?patient=Patient/" + patient + "&_count=2";
  std::set<std::string> ids;
  int pages = 0;
  while (!path.empty() && pages < 10) {
    Json page = Expect(200, "GET", path);
    ++pages;
    if (const Json* entries = page.Find("entry")) {
      for (const Json& entry : entries->items()) {
        ids.insert(std::string(entry.Find("resource")->StringOr("id")));
      }
    }
    path.clear();
    for (const Json& link : page.Find("link")->items()) {
      if (link.StringOr("relation") == "next") {
        path = std::string(link.StringOr("url")).substr(server_->base_url().size());
      }
    }
  }
  EXPECT_EQ(ids.size(), 7u);
  EXPECT_EQ(pages, 4);

  EXPECT_EQ(Total(Expect(200, "GET", "/fhir/CarePlan?patient=" + patient + "&status=active")), "3");
  EXPECT_EQ(Total(Expect(200, "GET", "/fhir/CarePlan?patient=" + patient + "&date=ge2026-05-01")),
            "3");
  EXPECT_EQ(Total(Expect(200, "GET", "/fhir/CarePlan?patient=" + patient + "&_summary=count")),
            "7");
  Json included = Expect(200, "GET",
                         "/fhir/CarePlan?patient=" + patient +
                             "&status=draft&_include=CarePlan:goal&_include=CarePlan:subject");
  size_t includes = 0;
  for (const Json& entry : included.Find("entry")->items()) {
    if (entry.Find("search")->StringOr("mode") == "include") ++includes;
  }
  EXPECT_EQ(includes, 2u);
  Json rev = Expect(200, "GET", "/fhir/Patient?_id=" + patient + "&_revinclude=CarePlan:subject");
  EXPECT_EQ(rev.Find("entry")->items().size(), 8u);
  Json elements =
      Expect(200, "GET", "/fhir/CarePlan?patient=" + patient + "&_elements=status&_count=1");
  EXPECT_EQ(elements.Find("entry")->items()[0].Find("resource")->Find("subject"), nullptr);
  Json by_post =
      Expect(200, "POST", "/fhir/CarePlan/_search", "patient=" + patient + "&status=draft",
             {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(Total(by_post), "4");
  Expect(200, "GET", "/fhir/CarePlan?_lastUpdated=gt2020-01-01&_sort=_lastUpdated&_format=json");
}

TEST_F(FhirApiTest, BatchAndTransactionBundles) {
  // The R4 example transaction also calls ValueSet/$lookup, which this server does not serve:
  // it is refused whole, and none of its Patient writes happen.
  std::string before = Total(Expect(200, "GET", "/fhir/Patient?_summary=count"));
  Json refused = Expect(404, "POST", "/fhir",
                        ReadFixture("fhir/spec-examples/Bundle-bundle-transaction.json"));
  EXPECT_NE(fhir::WriteJson(refused).find("Bundle.entry[7]"), std::string::npos)
      << fhir::WriteJson(refused);
  EXPECT_EQ(Total(Expect(200, "GET", "/fhir/Patient?_summary=count")), before);
  const std::string ours = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:2f6f0c55-7a0e-4d3f-9a55-1b2c3d4e5f60",
     "resource":{"resourceType":"Patient","identifier":[{"system":"urn:it:mrn","value":"tx-1"}]},
     "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=urn:it:mrn|tx-1"}},
    {"resource":{"resourceType":"Goal","lifecycleStatus":"proposed","description":{"text":"run"},
       "subject":{"reference":"urn:uuid:2f6f0c55-7a0e-4d3f-9a55-1b2c3d4e5f60"}},
     "request":{"method":"POST","url":"Goal"}}]})";
  Json result = Expect(200, "POST", "/fhir", ours);
  EXPECT_EQ(result.StringOr("type"), "transaction-response");
  const Json& goal = *result.Find("entry")->items()[1].Find("resource");
  std::string subject(goal.Find("subject")->StringOr("reference"));
  EXPECT_EQ(
      subject,
      "Patient/" + std::string(result.Find("entry")->items()[0].Find("resource")->StringOr("id")));
  Expect(200, "GET", "/fhir/" + subject);

  const std::string batch = R"({"resourceType":"Bundle","type":"batch","entry":[
    {"request":{"method":"GET","url":")" +
                            subject + R"("}},
    {"request":{"method":"GET","url":"Patient/none-such"}}]})";
  Json batch_result = Expect(200, "POST", "/fhir", batch);
  EXPECT_EQ(batch_result.Find("entry")->items()[0].Find("response")->StringOr("status"), "200 OK");
  EXPECT_EQ(batch_result.Find("entry")->items()[1].Find("response")->StringOr("status"),
            "404 Not Found");
}

TEST_F(FhirApiTest, ConcurrentConditionalCreatesMakeOneResource) {
  const std::string patient =
      R"({"resourceType":"Patient","identifier":[{"system":"urn:it:race","value":"r-32"}]})";
  constexpr int kClients = 32;
  std::vector<std::thread> threads;
  std::vector<long> statuses(kClients, 0);
  std::vector<std::string> ids(kClients);
  std::atomic<int> ready{0};
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      HttpsClient client = server_->Client();
      ++ready;
      while (ready.load() < kClients) std::this_thread::yield();
      HttpsResponse response =
          client.Post("/fhir/Patient", patient,
                      With(kFhirJson, "If-None-Exist", "identifier=urn:it:race|r-32"));
      statuses[i] = response.status;
      auto parsed = fhir::ParseJson(response.body);
      if (parsed.ok()) ids[i] = std::string(parsed->StringOr("id"));
    });
  }
  for (auto& thread : threads) thread.join();
  int created = 0;
  for (int i = 0; i < kClients; ++i) {
    EXPECT_TRUE(statuses[i] == 200 || statuses[i] == 201) << statuses[i];
    if (statuses[i] == 201) ++created;
    EXPECT_EQ(ids[i], ids[0]);
  }
  EXPECT_EQ(created, 1);
  Json found = Expect(200, "GET", "/fhir/Patient?identifier=urn:it:race|r-32");
  EXPECT_EQ(Total(found), "1");
}

TEST_F(FhirApiTest, ServerOutputValidatesWithDuetValidate) {
  std::string patient = NewPatient("validate-1");
  Expect(
      201, "POST", "/fhir/CarePlan",
      R"({"resourceType":"CarePlan","status":"active","intent":"plan","subject":{"reference":"Patient/)" +
          patient + R"("}})");
  std::vector<std::pair<std::string, std::string>> outputs = {
      {"metadata", client_->Get("/fhir/metadata").body},
      {"read", client_->Get("/fhir/Patient/" + patient).body},
      {"searchset",
       client_->Get("/fhir/CarePlan?patient=" + patient + "&_include=CarePlan:subject").body},
      {"history", client_->Get("/fhir/Patient/" + patient + "/_history").body},
      {"outcome", client_->Get("/fhir/Patient/none-such").body},
      {"transaction-response",
       client_
           ->Post("/fhir",
                  R"({"resourceType":"Bundle","type":"transaction","entry":[
           {"resource":{"resourceType":"Goal","lifecycleStatus":"active","description":{"text":"x"},
             "subject":{"reference":"Patient/)" +
                      patient + R"("}},"request":{"method":"POST","url":"Goal"}}]})",
                  kFhirJson)
           .body},
  };
  std::string dir = MakeTempDir("duet-validate-out");
  for (const auto& [name, body] : outputs) {
    std::string path = dir + "/" + name + ".json";
    WriteFile(path, body);
    ProcessResult result = RunDuet({"validate", path});
    EXPECT_EQ(result.exit_code, 0) << name << ":\n"
                                   << result.out << result.err << "\n"
                                   << body.substr(0, 500);
  }
  // And a broken copy of a server answer is refused with the element's path.
  Json broken = Parse(outputs[1].second);
  broken.Set("gender", Json::String("robot"));
  WriteFile(dir + "/broken.json", fhir::WriteJson(broken));
  ProcessResult refused = RunDuet({"validate", dir + "/broken.json"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("Patient.gender"), std::string::npos) << refused.out << refused.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace duet::test
