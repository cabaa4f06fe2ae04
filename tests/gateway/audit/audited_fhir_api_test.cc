#include "gateway/audit/audited_fhir_api.h"

#include <gtest/gtest.h>

#include "fhir/validation/validator.h"
#include "gateway/audit/auditing_store.h"
#include "gateway/fhir_api/fhir_rest_handler.h"
#include "gateway/store/sqlite_audit_log.h"
#include "tests/gateway/audit/audit_test_util.h"
#include "tests/gateway/store/store_test_util.h"

namespace duet::gateway {
namespace {

using fhir::Json;
using testing::MustParseJson;

using testing::AuditEventReader;
using testing::FailingAuditLog;

class AuditedFhirApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::MustOpenWithAudit(dir_.File("duet.db"));
    ASSERT_TRUE(db_.store && db_.log);
    audited_store_ = std::make_unique<AuditingResourceStore>(*db_.store);
    fhir_ = std::make_shared<FhirRestHandler>(*audited_store_, validator_, FhirApiOptions{});
    api_ = Audited(*db_.log);
    events_ = std::make_unique<AuditEventReader>(*db_.log);
  }

  std::unique_ptr<AuditedFhirApi> Audited(AuditLog& log) {
    return std::make_unique<AuditedFhirApi>(
        fhir_, log,
        [](const HttpRequest&) {
          return AuditAgent{"development", "", ""};
        },
        [] { return int64_t{1795800000000}; });
  }

  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "", AuditedFhirApi* api = nullptr) {
    HttpRequest request;
    request.method = method;
    size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos)
      request.query = ParseQueryString(target.substr(question + 1));
    request.base_url = "https://duet.test";
    request.remote_address = "192.0.2.9";
    request.body = body;
    if (!body.empty()) request.headers.Set("Content-Type", "application/fhir+json");
    return (api != nullptr ? api : api_.get())->Handle(request);
  }

  std::vector<Json> NewEvents() { return events_->NewEvents(); }
  static std::string Subtype(const Json& event) { return AuditEventReader::Subtype(event); }
  static std::vector<std::string> Entities(const Json& event) {
    return AuditEventReader::Entities(event);
  }
  std::string CreatePatient() {
    HttpResponse created = Call("POST", "/fhir/Patient", R"({"resourceType":"Patient"})");
    EXPECT_EQ(created.status, 201) << created.body;
    return std::string(MustParseJson(created.body).StringOr("id"));
  }

  testing::TempDir dir_;
  fhir::Validator validator_;
  testing::StoreWithAudit db_;
  std::unique_ptr<AuditingResourceStore> audited_store_;
  std::shared_ptr<FhirRestHandler> fhir_;
  std::unique_ptr<AuditedFhirApi> api_;
  std::unique_ptr<AuditEventReader> events_;
};

TEST_F(AuditedFhirApiTest, EachAccessLeavesExactlyOneAuditEvent) {
  std::string patient = CreatePatient();
  std::vector<Json> events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Subtype(events[0]), "create");
  EXPECT_EQ(events[0].StringOr("action"), "C");
  EXPECT_EQ(events[0].StringOr("outcome"), "0");
  EXPECT_EQ(events[0].StringOr("outcomeDesc"), "HTTP 201");
  EXPECT_EQ(events[0].StringOr("recorded"), "2026-11-27T17:20:00.000Z");
  EXPECT_EQ(Entities(events[0]), (std::vector<std::string>{"Patient/" + patient}));
  const Json& agent = events[0].Find("agent")->items()[0];
  EXPECT_EQ(agent.StringOr("altId"), "development");
  EXPECT_EQ(agent.Find("network")->StringOr("address"), "192.0.2.9");

  std::string plan = R"({"resourceType":"CarePlan","status":"active","intent":"plan",
      "subject":{"reference":"Patient/)" +
                     patient + R"("}})";
  HttpResponse created = Call("POST", "/fhir/CarePlan", plan);
  ASSERT_EQ(created.status, 201);
  std::string plan_id(MustParseJson(created.body).StringOr("id"));
  events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Entities(events[0]),
            (std::vector<std::string>{"Patient/" + patient, "CarePlan/" + plan_id}));

  ASSERT_EQ(Call("GET", "/fhir/CarePlan/" + plan_id).status, 200);
  events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Subtype(events[0]), "read");
  EXPECT_EQ(events[0].StringOr("action"), "R");
  EXPECT_EQ(Entities(events[0]),
            (std::vector<std::string>{"Patient/" + patient, "CarePlan/" + plan_id}));

  ASSERT_EQ(Call("GET", "/fhir/CarePlan?subject=Patient/" + patient).status, 200);
  events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Subtype(events[0]), "search-type");
  EXPECT_EQ(Entities(events[0]),
            (std::vector<std::string>{"Patient/" + patient, "CarePlan/" + plan_id}));

  ASSERT_EQ(Call("GET", "/fhir/metadata").status, 200);
  EXPECT_TRUE(NewEvents().empty()) << "the CapabilityStatement is no patient data";

  for (const Json& event : {events[0]}) {
    EXPECT_TRUE(validator_.Validate(event).empty()) << fhir::WriteJson(event);
  }
}

TEST_F(AuditedFhirApiTest, FailedWritesAreRecordedAsFailuresOnly) {
  std::string patient = CreatePatient();
  NewEvents();
  // The body's id differs from the URL's: refused inside the write transaction.
  HttpResponse refused =
      Call("PUT", "/fhir/Patient/" + patient, R"({"resourceType":"Patient","id":"other"})");
  EXPECT_EQ(refused.status, 400) << refused.body;
  std::vector<Json> events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Subtype(events[0]), "update");
  EXPECT_EQ(events[0].StringOr("outcome"), "4");
  EXPECT_EQ(Entities(events[0]), (std::vector<std::string>{"Patient/" + patient}));

  ASSERT_EQ(Call("GET", "/fhir/Patient/nobody").status, 404);
  events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].StringOr("outcome"), "4");
  EXPECT_EQ(Entities(events[0]), (std::vector<std::string>{"Patient/nobody"}));
}

TEST_F(AuditedFhirApiTest, ATransactionIsOneEventAndARolledBackOneLeavesNoSuccess) {
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"fullUrl":"urn:uuid:5b1c2f4e-0000-4000-8000-000000000001",
       "resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
      {"resource":{"resourceType":"Goal","lifecycleStatus":"active",
        "description":{"text":"walk"},
        "subject":{"reference":"urn:uuid:5b1c2f4e-0000-4000-8000-000000000001"}},
       "request":{"method":"POST","url":"Goal"}}]})";
  HttpResponse done = Call("POST", "/fhir", bundle);
  ASSERT_EQ(done.status, 200) << done.body;
  std::vector<Json> events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Subtype(events[0]), "transaction");
  EXPECT_EQ(events[0].StringOr("outcome"), "0");
  std::vector<std::string> entities = Entities(events[0]);
  ASSERT_EQ(entities.size(), 2u) << "the patient and the goal";
  EXPECT_EQ(entities[0].rfind("Patient/", 0), 0u);
  EXPECT_EQ(entities[1].rfind("Goal/", 0), 0u);

  // The second entry deletes what does not exist with If-Match: the whole transaction fails.
  std::string failing = R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
      {"request":{"method":"PUT","url":"Patient/p-x","ifMatch":"W/\"7\""},
       "resource":{"resourceType":"Patient","id":"p-x"}}]})";
  HttpResponse failed = Call("POST", "/fhir", failing);
  ASSERT_NE(failed.status, 200) << failed.body;
  events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Subtype(events[0]), "transaction");
  EXPECT_NE(events[0].StringOr("outcome"), "0");
  EXPECT_TRUE(Entities(events[0]).empty()) << "nothing was written";
}

TEST_F(AuditedFhirApiTest, AReadThatCannotBeAuditedIsNotAnsweredAWriteCarriesItsOwnRecord) {
  FailingAuditLog failing(*db_.log);
  std::unique_ptr<AuditedFhirApi> api = Audited(failing);
  HttpResponse created = Call("POST", "/fhir/Patient", R"({"resourceType":"Patient"})", api.get());
  ASSERT_EQ(created.status, 201) << "the record went into the write's own transaction";
  std::string id(MustParseJson(created.body).StringOr("id"));
  ASSERT_EQ(NewEvents().size(), 1u);

  HttpResponse read = Call("GET", "/fhir/Patient/" + id, "", api.get());
  EXPECT_EQ(read.status, 500);
  EXPECT_EQ(read.body.find("\"Patient\""), std::string::npos) << read.body;
  EXPECT_EQ(MustParseJson(read.body).StringOr("resourceType"), "OperationOutcome");
}

TEST(FhirInteractionTest, NamesEachRestfulInteraction) {
  EXPECT_EQ(FhirInteraction("GET", "/Patient/1", ""), "read");
  EXPECT_EQ(FhirInteraction("GET", "/Patient/1/_history/2", ""), "vread");
  EXPECT_EQ(FhirInteraction("GET", "/Patient/1/_history", ""), "history-instance");
  EXPECT_EQ(FhirInteraction("GET", "/Patient/_history", ""), "history-type");
  EXPECT_EQ(FhirInteraction("GET", "/_history", ""), "history-system");
  EXPECT_EQ(FhirInteraction("GET", "/Patient", ""), "search-type");
  EXPECT_EQ(FhirInteraction("POST", "/Patient/_search", ""), "search-type");
  EXPECT_EQ(FhirInteraction("POST", "/Patient", ""), "create");
  EXPECT_EQ(FhirInteraction("PUT", "/Patient", ""), "update");
  EXPECT_EQ(FhirInteraction("PUT", "/Patient/1", ""), "update");
  EXPECT_EQ(FhirInteraction("DELETE", "/Patient/1", ""), "delete");
  EXPECT_EQ(FhirInteraction("POST", "", R"({"type":"transaction"})"), "transaction");
  EXPECT_EQ(FhirInteraction("POST", "", R"({"type":"batch"})"), "batch");
  EXPECT_EQ(FhirInteraction("GET", "/metadata", ""), "");
}

}  // namespace
}  // namespace duet::gateway
