// The FHIR REST handler against the real SQLite store on disk, without sockets.
#include "gateway/fhir_api/fhir_rest_handler.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "fhir/json.h"
#include "fhir/validation/validator.h"
#include "gateway/store/sqlite_resource_store.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr char kBase[] = "https://duet.test";

std::string ReadFixture(const std::string& relative) {
  std::ifstream in(std::string(DUET_FIXTURES_DIR) + "/" + relative, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Json ParseOrDie(const std::string& text) {
  auto parsed = fhir::ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << text.substr(0, 300);
  return parsed.ok() ? *parsed : Json();
}

std::string Header(const HttpResponse& response, const char* name) {
  const std::string* value = response.headers.Find(name);
  return value ? *value : "";
}

class FhirRestHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/duet-handler-XXXXXX";
    dir_ = mkdtemp(pattern);
    auto store = SqliteResourceStore::Open(dir_ + "/duet.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    handler_ = std::make_unique<FhirRestHandler>(*store_, validator_, FhirApiOptions{});
  }
  void TearDown() override {
    handler_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpResponse Send(const std::string& method, const std::string& target,
                    const std::string& body = "",
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest request;
    request.method = method;
    size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) {
      request.raw_query = target.substr(question + 1);
      request.query = ParseQueryString(request.raw_query);
    }
    request.base_url = kBase;
    request.body = body;
    if (!body.empty()) request.headers.Set("Content-Type", "application/fhir+json");
    for (auto& [name, value] : headers) request.headers.Set(name, value);
    return handler_->Handle(request);
  }

  Json SendJson(const std::string& method, const std::string& target, const std::string& body,
                int expected_status,
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpResponse response = Send(method, target, body, std::move(headers));
    EXPECT_EQ(response.status, expected_status) << method << " " << target << "\n" << response.body;
    return response.body.empty() ? Json() : ParseOrDie(response.body);
  }

  // Creates a Patient and returns its id.
  std::string CreatePatient(const std::string& mrn) {
    Json patient =
        SendJson("POST", "/fhir/Patient",
                 R"({"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":")" + mrn +
                     R"("}],"name":[{"family":"Doe","given":["Jo"]}]})",
                 201);
    return std::string(patient.StringOr("id"));
  }

  std::string CarePlanFor(const std::string& patient_id, const std::string& status) {
    return R"({"resourceType":"CarePlan","status":")" + status +
           R"(","intent":"plan","subject":{"reference":"Patient/)" + patient_id + R"("}})";
  }

  std::string dir_;
  fhir::Validator validator_;
  std::unique_ptr<SqliteResourceStore> store_;
  std::unique_ptr<FhirRestHandler> handler_;
};

std::string IssueText(const Json& outcome) { return fhir::WriteJson(outcome); }

TEST_F(FhirRestHandlerTest, MetadataDescribesWhatIsImplementedAndValidates) {
  Json statement = SendJson("GET", "/fhir/metadata", "", 200);
  EXPECT_EQ(statement.StringOr("resourceType"), "CapabilityStatement");
  EXPECT_FALSE(fhir::HasErrors(validator_.Validate(statement))) << IssueText(statement);
  const Json& resources = *statement.Find("rest")->items()[0].Find("resource");
  bool found_care_plan = false;
  for (const Json& resource : resources.items()) {
    if (resource.StringOr("type") != "CarePlan") continue;
    found_care_plan = true;
    std::string text = fhir::WriteJson(resource);
    EXPECT_NE(text.find("\"name\":\"patient\""), std::string::npos);
    EXPECT_NE(text.find("\"name\":\"status\""), std::string::npos);
    EXPECT_NE(text.find("CarePlan:goal"), std::string::npos);
  }
  EXPECT_TRUE(found_care_plan);
  EXPECT_EQ(Send("POST", "/fhir/metadata", "{}").status, 405);
}

TEST_F(FhirRestHandlerTest, CreateReadVreadUpdateDeleteWithHeaders) {
  std::string body = ReadFixture("fhir/spec-examples/Goal-example.json");
  HttpResponse created = Send("POST", "/fhir/Goal", body);
  ASSERT_EQ(created.status, 201) << created.body;
  Json goal = ParseOrDie(created.body);
  std::string id(goal.StringOr("id"));
  EXPECT_NE(id, "example") << "the server assigns ids on create";
  EXPECT_EQ(Header(created, "ETag"), "W/\"1\"");
  EXPECT_EQ(Header(created, "Location"), std::string(kBase) + "/fhir/Goal/" + id + "/_history/1");
  EXPECT_NE(Header(created, "Last-Modified").find("GMT"), std::string::npos);
  EXPECT_EQ(goal.Find("meta")->StringOr("versionId"), "1");

  HttpResponse read = Send("GET", "/fhir/Goal/" + id);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.body, created.body);
  EXPECT_EQ(Header(read, "Content-Type"), "application/fhir+json; charset=utf-8");
  EXPECT_EQ(Send("GET", "/fhir/Goal/" + id, "", {{"If-None-Match", "W/\"1\""}}).status, 304);

  goal.Set("lifecycleStatus", Json::String("completed"));
  std::string update = fhir::WriteJson(goal);
  EXPECT_EQ(Send("PUT", "/fhir/Goal/" + id, update, {{"If-Match", "W/\"7\""}}).status, 412);
  HttpResponse updated = Send("PUT", "/fhir/Goal/" + id, update, {{"If-Match", "W/\"1\""}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(Header(updated, "ETag"), "W/\"2\"");
  EXPECT_EQ(Send("PUT", "/fhir/Goal/" + id, update, {{"If-Match", "W/\"1\""}}).status, 412)
      << "a stale If-Match must be refused";

  Json v1 = SendJson("GET", "/fhir/Goal/" + id + "/_history/1", "", 200);
  EXPECT_EQ(v1.StringOr("lifecycleStatus"), "on-hold");
  Json v2 = SendJson("GET", "/fhir/Goal/" + id + "/_history/2", "", 200);
  EXPECT_EQ(v2.StringOr("lifecycleStatus"), "completed");
  SendJson("GET", "/fhir/Goal/" + id + "/_history/3", "", 404);

  EXPECT_EQ(Send("DELETE", "/fhir/Goal/" + id).status, 204);
  Json gone = SendJson("GET", "/fhir/Goal/" + id, "", 410);
  EXPECT_EQ(gone.StringOr("resourceType"), "OperationOutcome");
  SendJson("GET", "/fhir/Goal/" + id + "/_history/3", "", 410);
  EXPECT_EQ(Send("DELETE", "/fhir/Goal/" + id).status, 204) << "delete is idempotent";
  SendJson("DELETE", "/fhir/Goal/never-was", "", 404);

  Json history = SendJson("GET", "/fhir/Goal/" + id + "/_history", "", 200);
  EXPECT_EQ(history.StringOr("type"), "history");
  EXPECT_EQ(history.Find("total")->number_text(), "3");
  const auto& entries = history.Find("entry")->items();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].Find("request")->StringOr("method"), "DELETE");
  EXPECT_EQ(entries[0].Find("resource"), nullptr);
  EXPECT_EQ(entries[2].Find("resource")->Find("meta")->StringOr("versionId"), "1");

  // Reviving a deleted resource with PUT makes a new version.
  HttpResponse revived = Send("PUT", "/fhir/Goal/" + id, update);
  EXPECT_EQ(revived.status, 201) << revived.body;
  EXPECT_EQ(Header(revived, "ETag"), "W/\"4\"");
}

TEST_F(FhirRestHandlerTest, UpdateAsCreateUsesTheClientsId) {
  std::string body = ReadFixture("fhir/spec-examples/CarePlan-example.json");
  HttpResponse created = Send("PUT", "/fhir/CarePlan/example", body);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Header(created, "Location"), std::string(kBase) + "/fhir/CarePlan/example/_history/1");
  EXPECT_EQ(Send("PUT", "/fhir/CarePlan/example", body).status, 200);
}

TEST_F(FhirRestHandlerTest, ErrorsAreOperationOutcomesWithTheRightStatus) {
  Json not_json = SendJson("POST", "/fhir/Patient", "{\"resourceType\":", 400);
  EXPECT_NE(IssueText(not_json).find("invalid JSON at byte"), std::string::npos);
  SendJson("POST", "/fhir/Patient", R"({"resourceType":"Goal"})", 400);
  SendJson("POST", "/fhir/Patient", R"([1,2])", 400);
  SendJson("POST", "/fhir/Patient", "", 400);
  Json invalid = SendJson("POST", "/fhir/CarePlan",
                          R"({"resourceType":"CarePlan","status":"bogus","intent":"plan",
                              "subject":{"reference":"Patient/1"},"colour":"red"})",
                          422);
  std::string issues = IssueText(invalid);
  EXPECT_NE(issues.find("CarePlan.status"), std::string::npos) << issues;
  EXPECT_NE(issues.find("CarePlan.colour"), std::string::npos) << issues;
  SendJson("GET", "/fhir/Patient/missing", "", 404);
  SendJson("GET", "/fhir/Claim/1", "", 404);
  SendJson("GET", "/fhir/Patient/bad_id", "", 400);
  HttpResponse patch = Send("PATCH", "/fhir/Patient/1", "[]");
  EXPECT_EQ(patch.status, 405);
  EXPECT_EQ(Header(patch, "Allow"), "GET, PUT, DELETE");
  HttpResponse xml =
      Send("POST", "/fhir/Patient", "<Patient/>", {{"Content-Type", "application/fhir+xml"}});
  EXPECT_EQ(xml.status, 415);
  EXPECT_EQ(Send("GET", "/fhir/metadata?_format=xml").status, 406);
  EXPECT_EQ(Send("GET", "/fhir/metadata?_format=json").status, 200);
  std::string id = CreatePatient("m1");
  SendJson("PUT", "/fhir/Patient/" + id, R"({"resourceType":"Patient","id":"other"})", 400);
  SendJson("PUT", "/fhir/Patient/" + id, R"({"resourceType":"Patient"})", 400);
  SendJson("PUT", "/fhir/Patient/" + id, R"({"resourceType":"Patient","id":")" + id + "\"}", 400,
           {{"If-Match", "seven"}});
  SendJson("GET", "/fhir/Patient?nonsense=1", "", 400);
  SendJson("GET", "/fhir/Patient/" + id + "/_history?_count=-1", "", 400);
}

TEST_F(FhirRestHandlerTest, ConditionalCreateUpdateAndDelete) {
  const std::string patient =
      R"({"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"42"}]})";
  HttpResponse first =
      Send("POST", "/fhir/Patient", patient, {{"If-None-Exist", "identifier=urn:mrn|42"}});
  ASSERT_EQ(first.status, 201) << first.body;
  HttpResponse second =
      Send("POST", "/fhir/Patient", patient, {{"If-None-Exist", "identifier=urn:mrn|42"}});
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(ParseOrDie(first.body).StringOr("id"), ParseOrDie(second.body).StringOr("id"));
  SendJson("POST", "/fhir/Patient", patient, 201);  // a plain create makes a duplicate
  SendJson("POST", "/fhir/Patient", patient, 412, {{"If-None-Exist", "identifier=urn:mrn|42"}});
  SendJson("POST", "/fhir/Patient", patient, 400, {{"If-None-Exist", "bogus=1"}});

  const std::string goal =
      R"({"resourceType":"Goal","identifier":[{"system":"urn:g","value":"g1"}],)"
      R"("lifecycleStatus":"active","description":{"text":"walk"},"subject":{"reference":"Patient/x"}})";
  Json created = SendJson("PUT", "/fhir/Goal?identifier=urn:g|g1", goal, 201);
  Json repeated = SendJson("PUT", "/fhir/Goal?identifier=urn:g|g1", goal, 200);
  EXPECT_EQ(created.StringOr("id"), repeated.StringOr("id"));
  EXPECT_EQ(repeated.Find("meta")->StringOr("versionId"), "1")
      << "the same content again is no change";
  std::string changed = goal;
  changed.replace(changed.find("walk"), 4, "run");
  Json updated = SendJson("PUT", "/fhir/Goal?identifier=urn:g|g1", changed, 200);
  EXPECT_EQ(updated.Find("meta")->StringOr("versionId"), "2");
  std::string other_goal = goal;
  other_goal.replace(other_goal.find("g1"), 2, "g2");
  SendJson("PUT", "/fhir/Goal?identifier=urn:g|g2", other_goal, 201);  // no match yet: create
  SendJson("PUT", "/fhir/Goal", goal, 405);

  EXPECT_EQ(Send("DELETE", "/fhir/Goal?identifier=urn:g|g1").status, 204);
  SendJson("GET", "/fhir/Goal/" + std::string(created.StringOr("id")), "", 410);
  EXPECT_EQ(Send("DELETE", "/fhir/Goal?identifier=urn:g|nothing").status, 204);
  SendJson("DELETE", "/fhir/Patient?identifier=urn:mrn|42", "", 412);
}

TEST_F(FhirRestHandlerTest, SearchFiltersPagesAndIncludes) {
  std::string alice = CreatePatient("alice");
  std::string bob = CreatePatient("bob");
  Json goal = SendJson("POST", "/fhir/Goal",
                       R"({"resourceType":"Goal","lifecycleStatus":"active",)"
                       R"("description":{"text":"walk 1 km"},"subject":{"reference":"Patient/)" +
                           alice + "\"}}",
                       201);
  std::string goal_ref = "Goal/" + std::string(goal.StringOr("id"));
  for (int i = 0; i < 5; ++i) {
    Json plan = ParseOrDie(CarePlanFor(alice, i < 4 ? "active" : "completed"));
    Json goals = Json::MakeArray();
    Json ref = Json::MakeObject();
    ref.Set("reference", Json::String(goal_ref));
    goals.Append(ref);
    plan.Set("goal", goals);
    SendJson("POST", "/fhir/CarePlan", fhir::WriteJson(plan), 201);
  }
  SendJson("POST", "/fhir/CarePlan", CarePlanFor(bob, "active"), 201);

  Json page1 = SendJson(
      "GET", "/fhir/CarePlan?patient=Patient/" + alice + "&status=active&_count=3", "", 200);
  EXPECT_EQ(page1.StringOr("type"), "searchset");
  EXPECT_EQ(page1.Find("total")->number_text(), "4");
  ASSERT_EQ(page1.Find("entry")->items().size(), 3u);
  std::string next;
  for (const Json& link : page1.Find("link")->items()) {
    if (link.StringOr("relation") == "next") next = std::string(link.StringOr("url"));
  }
  ASSERT_FALSE(next.empty());
  ASSERT_EQ(next.rfind(std::string(kBase) + "/fhir/CarePlan?", 0), 0u) << next;
  // A new match after page 1 must not disturb the pages of the existing ones.
  SendJson("POST", "/fhir/CarePlan", CarePlanFor(alice, "active"), 201);
  Json page2 = SendJson("GET", next.substr(std::string(kBase).size()), "", 200);
  ASSERT_NE(page2.Find("entry"), nullptr);
  std::set<std::string> seen;
  for (const Json* page : {&page1, &page2}) {
    for (const Json& entry : page->Find("entry")->items()) {
      EXPECT_EQ(entry.Find("search")->StringOr("mode"), "match");
      EXPECT_TRUE(seen.insert(std::string(entry.Find("resource")->StringOr("id"))).second);
    }
  }
  EXPECT_GE(seen.size(), 4u);

  Json count =
      SendJson("GET", "/fhir/CarePlan?subject=Patient/" + alice + "&_summary=count", "", 200);
  EXPECT_EQ(count.Find("total")->number_text(), "6");
  EXPECT_EQ(count.Find("entry"), nullptr);

  Json included = SendJson(
      "GET", "/fhir/CarePlan?patient=" + alice + "&status=completed&_include=CarePlan:goal", "",
      200);
  ASSERT_EQ(included.Find("entry")->items().size(), 2u);
  EXPECT_EQ(included.Find("entry")->items()[1].Find("search")->StringOr("mode"), "include");
  EXPECT_EQ(included.Find("entry")->items()[1].Find("resource")->StringOr("resourceType"), "Goal");

  Json rev = SendJson(
      "GET", "/fhir/Goal?_id=" + std::string(goal.StringOr("id")) + "&_revinclude=CarePlan:goal",
      "", 200);
  EXPECT_EQ(rev.Find("entry")->items().size(), 6u);

  Json elements = SendJson("GET", "/fhir/CarePlan?patient=" + bob + "&_elements=status", "", 200);
  const Json& subset = *elements.Find("entry")->items()[0].Find("resource");
  EXPECT_EQ(subset.StringOr("status"), "active");
  EXPECT_EQ(subset.Find("subject"), nullptr);
  EXPECT_NE(fhir::WriteJson(subset).find("SUBSETTED"), std::string::npos);

  Json posted = SendJson("POST", "/fhir/CarePlan/_search", "patient=" + bob, 200,
                         {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(posted.Find("total")->number_text(), "1");

  Json newest = SendJson("GET", "/fhir/CarePlan?_sort=-_lastUpdated&_count=1", "", 200);
  EXPECT_EQ(
      newest.Find("entry")->items()[0].Find("resource")->Find("subject")->StringOr("reference"),
      "Patient/" + alice);
  SendJson("GET", "/fhir/CarePlan?_sort=status", "", 400);
}

TEST_F(FhirRestHandlerTest, TransactionResolvesReferencesAndIsAllOrNothing) {
  const std::string transaction = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:8f0a3b8e-0000-4000-8000-000000000001",
     "resource":{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"t1"}]},
     "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=urn:mrn|t1"}},
    {"fullUrl":"urn:uuid:8f0a3b8e-0000-4000-8000-000000000002",
     "resource":{"resourceType":"CarePlan","status":"active","intent":"plan",
       "identifier":[{"system":"urn:cp","value":"cp1"}],
       "subject":{"reference":"urn:uuid:8f0a3b8e-0000-4000-8000-000000000001"}},
     "request":{"method":"PUT","url":"CarePlan?identifier=urn:cp|cp1"}}]})";
  Json response = SendJson("POST", "/fhir", transaction, 200);
  EXPECT_EQ(response.StringOr("type"), "transaction-response");
  const auto& entries = response.Find("entry")->items();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].Find("response")->StringOr("status"), "201 Created");
  std::string patient_id(entries[0].Find("resource")->StringOr("id"));
  EXPECT_EQ(entries[1].Find("resource")->Find("subject")->StringOr("reference"),
            "Patient/" + patient_id);

  // Posting the same transaction again creates nothing new.
  Json again = SendJson("POST", "/fhir", transaction, 200);
  EXPECT_EQ(again.Find("entry")->items()[0].Find("response")->StringOr("status"), "200 OK");
  EXPECT_EQ(again.Find("entry")->items()[1].Find("response")->StringOr("status"), "200 OK");
  Json patients = SendJson("GET", "/fhir/Patient?_summary=count", "", 200);
  EXPECT_EQ(patients.Find("total")->number_text(), "1");
  Json plans = SendJson("GET", "/fhir/CarePlan?_summary=count", "", 200);
  EXPECT_EQ(plans.Find("total")->number_text(), "1");

  // One bad entry: nothing of the Bundle is written.
  const std::string broken = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"resource":{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"t2"}]},
     "request":{"method":"POST","url":"Patient"}},
    {"resource":{"resourceType":"Goal","lifecycleStatus":"sideways"},
     "request":{"method":"POST","url":"Goal"}}]})";
  Json failed = SendJson("POST", "/fhir", broken, 422);
  EXPECT_NE(IssueText(failed).find("Bundle.entry[1].resource.lifecycleStatus"), std::string::npos)
      << IssueText(failed);
  patients = SendJson("GET", "/fhir/Patient?_summary=count", "", 200);
  EXPECT_EQ(patients.Find("total")->number_text(), "1");

  // A write that fails inside the store rolls back the earlier entries too.
  const std::string stale = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"resource":{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"t3"}]},
     "request":{"method":"POST","url":"Patient"}},
    {"resource":{"resourceType":"Patient","id":")" +
                            patient_id + R"("},
     "request":{"method":"PUT","url":"Patient/)" +
                            patient_id + R"(","ifMatch":"W/\"9\""}}]})";
  SendJson("POST", "/fhir", stale, 412);
  patients = SendJson("GET", "/fhir/Patient?_summary=count", "", 200);
  EXPECT_EQ(patients.Find("total")->number_text(), "1");

  const std::string dangling = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"resource":{"resourceType":"CarePlan","status":"active","intent":"plan",
       "subject":{"reference":"urn:uuid:0b8c1f9e-0000-4000-8000-00000000dead"}},
     "request":{"method":"POST","url":"CarePlan"}}]})";
  Json unresolved = SendJson("POST", "/fhir", dangling, 400);
  EXPECT_NE(IssueText(unresolved).find("Bundle.entry[0].resource.subject.reference"),
            std::string::npos);
}

TEST_F(FhirRestHandlerTest, TransactionChangingOneResourceTwiceIsAConflict) {
  std::string id = CreatePatient("twice");
  const std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"resource":{"resourceType":"Patient","id":")" +
                             id + R"(","active":true},
     "request":{"method":"PUT","url":"Patient/)" +
                             id + R"("}},
    {"request":{"method":"DELETE","url":"Patient/)" +
                             id + R"("}}]})";
  Json conflict = SendJson("POST", "/fhir", bundle, 409);
  EXPECT_NE(IssueText(conflict).find("more than one entry"), std::string::npos);
  Json patient = SendJson("GET", "/fhir/Patient/" + id, "", 200);
  EXPECT_EQ(patient.Find("meta")->StringOr("versionId"), "1");
}

TEST_F(FhirRestHandlerTest, TransactionResolvesConditionalReferences) {
  CreatePatient("c1");
  const std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"resource":{"resourceType":"Goal","lifecycleStatus":"active","description":{"text":"x"},
       "subject":{"reference":"Patient?identifier=urn:mrn|c1"}},
     "request":{"method":"POST","url":"Goal"}}]})";
  Json response = SendJson("POST", "/fhir", bundle, 200);
  std::string reference(
      response.Find("entry")->items()[0].Find("resource")->Find("subject")->StringOr("reference"));
  EXPECT_EQ(reference.rfind("Patient/", 0), 0u);
  const std::string missing = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"resource":{"resourceType":"Goal","lifecycleStatus":"active","description":{"text":"x"},
       "subject":{"reference":"Patient?identifier=urn:mrn|nobody"}},
     "request":{"method":"POST","url":"Goal"}}]})";
  SendJson("POST", "/fhir", missing, 412);
}

TEST_F(FhirRestHandlerTest, TransactionCriteriaMayHoldUrls) {
  Json patient = SendJson("POST", "/fhir/Patient",
                          R"({"resourceType":"Patient","identifier":[)"
                          R"({"system":"https://sunrise-pt.example/sid/mrn","value":"u1"}]})",
                          201);
  const std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"resource":{"resourceType":"Goal","identifier":[{"system":"https://sunrise-pt.example/sid/goal","value":"G1"}],
       "lifecycleStatus":"active","description":{"text":"x"},
       "subject":{"reference":"Patient?identifier=https://sunrise-pt.example/sid/mrn|u1"}},
     "request":{"method":"PUT","url":"Goal?identifier=https://sunrise-pt.example/sid/goal|G1"}}]})";
  Json response = SendJson("POST", "/fhir", bundle, 200);
  ASSERT_NE(response.Find("entry"), nullptr);
  const Json& goal = *response.Find("entry")->items()[0].Find("resource");
  EXPECT_EQ(goal.Find("subject")->StringOr("reference"),
            "Patient/" + std::string(patient.StringOr("id")));
  Json again = SendJson("POST", "/fhir", bundle, 200);
  EXPECT_EQ(again.Find("entry")->items()[0].Find("response")->StringOr("status"), "200 OK");
  SendJson("POST", "/fhir",
           R"({"resourceType":"Bundle","type":"transaction","entry":[
             {"request":{"method":"GET","url":"https://elsewhere.example/fhir/Patient/1"}}]})",
           400);
}

TEST_F(FhirRestHandlerTest, BatchEntriesSucceedOrFailOnTheirOwn) {
  std::string id = CreatePatient("b1");
  const std::string batch = R"({"resourceType":"Bundle","type":"batch","entry":[
    {"request":{"method":"GET","url":"Patient/)" +
                            id + R"("}},
    {"request":{"method":"GET","url":"Patient/nope"}},
    {"resource":{"resourceType":"Goal","lifecycleStatus":"active","description":{"text":"x"},
       "subject":{"reference":"Patient/)" +
                            id + R"("}},
     "request":{"method":"POST","url":"Goal"}},
    {"request":{"method":"PATCH","url":"Patient/)" +
                            id + R"("}},
    {"request":{"method":"GET","url":"Goal?subject=Patient/)" +
                            id + R"("}}]})";
  Json response = SendJson("POST", "/fhir", batch, 200);
  EXPECT_EQ(response.StringOr("type"), "batch-response");
  const auto& entries = response.Find("entry")->items();
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(entries[0].Find("response")->StringOr("status"), "200 OK");
  EXPECT_EQ(entries[1].Find("response")->StringOr("status"), "404 Not Found");
  EXPECT_NE(entries[1].Find("response")->Find("outcome"), nullptr);
  EXPECT_EQ(entries[2].Find("response")->StringOr("status"), "201 Created");
  EXPECT_EQ(entries[3].Find("response")->StringOr("status"), "405 Method Not Allowed");
  EXPECT_EQ(entries[4].Find("resource")->StringOr("type"), "searchset");
  SendJson("POST", "/fhir", R"({"resourceType":"Bundle","type":"collection"})", 400);
  SendJson("POST", "/fhir", R"({"resourceType":"Patient"})", 400);
}

TEST_F(FhirRestHandlerTest, HistoryOfTypeAndSystemPages) {
  std::string id = CreatePatient("h1");
  SendJson("PUT", "/fhir/Patient/" + id,
           R"({"resourceType":"Patient","id":")" + id + R"(","active":true})", 200);
  SendJson("POST", "/fhir/Goal",
           R"({"resourceType":"Goal","lifecycleStatus":"active","description":{"text":"x"},)"
           R"("subject":{"reference":"Patient/)" +
               id + "\"}}",
           201);
  Json type_history = SendJson("GET", "/fhir/Patient/_history", "", 200);
  EXPECT_EQ(type_history.Find("total")->number_text(), "2");
  Json system_page = SendJson("GET", "/fhir/_history?_count=2", "", 200);
  EXPECT_EQ(system_page.Find("total")->number_text(), "3");
  EXPECT_EQ(system_page.Find("entry")->items().size(), 2u);
  std::string next;
  for (const Json& link : system_page.Find("link")->items()) {
    if (link.StringOr("relation") == "next") next = std::string(link.StringOr("url"));
  }
  ASSERT_FALSE(next.empty());
  Json rest = SendJson("GET", next.substr(std::string(kBase).size()), "", 200);
  EXPECT_EQ(rest.Find("entry")->items().size(), 1u);
  SendJson("GET", "/fhir/Patient/nobody/_history", "", 404);
}

}  // namespace
}  // namespace duet::gateway
