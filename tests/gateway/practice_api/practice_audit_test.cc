// The practice API as `duet serve` mounts it for the audit trail: AuditedApi with the practice
// rules around PracticeApiHandler, which reads through a ReadNotingResourceStore and writes
// through the FHIR API on an AuditingResourceStore, over the real SQLite store and audit log.
#include "gateway/practice_api/practice_audit.h"

#include <gtest/gtest.h>

#include "gateway/audit/auditing_store.h"
#include "gateway/audit/read_noting_store.h"
#include "gateway/store/sqlite_audit_log.h"
#include "tests/gateway/audit/audit_test_util.h"
#include "tests/gateway/practice_api/practice_api_test_base.h"

namespace duet::gateway {
namespace {

using fhir::Json;
using testing::AuditEventReader;

class PracticeAuditTest : public testing::PracticeApiTestBase {
 protected:
  void SetUp() override {
    PracticeApiTestBase::SetUp();
    auto log = SqliteAuditLog::Open(dir_ + "/duet.db", store_.get());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    events_ = std::make_unique<AuditEventReader>(*log_);
    audited_store_ = std::make_unique<AuditingResourceStore>(*store_);
    noting_store_ = std::make_unique<ReadNotingResourceStore>(*store_);
    audited_fhir_ = std::make_unique<FhirRestHandler>(*audited_store_, validator_, FhirApiOptions{},
                                                      rules_.get());
    audited_practice_ = std::make_shared<PracticeApiHandler>(
        *noting_store_, *audited_fhir_, mappings::MappingContext{testing::kIdentifierBase});
    api_ = Audited(*log_);
  }
  void TearDown() override {
    api_.reset();
    audited_practice_.reset();
    audited_fhir_.reset();
    events_.reset();
    log_.reset();
    PracticeApiTestBase::TearDown();
  }

  std::unique_ptr<AuditedApi> Audited(AuditLog& log) {
    return std::make_unique<AuditedApi>(audited_practice_, log,
                                        PracticeAuditRules([](const HttpRequest&) {
                                          return AuditAgent{"practice", "", ""};
                                        }),
                                        [] { return int64_t{1795800000000}; });
  }

  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "", AuditedApi* api = nullptr) {
    HttpRequest request = Request(method, target, body, "application/json");
    request.remote_address = "192.0.2.7";
    return (api != nullptr ? api : api_.get())->Handle(request);
  }
  static std::string Text(const std::string& fixture) { return fhir::WriteJson(Fixture(fixture)); }
  std::vector<Json> NewEvents() { return events_->NewEvents(); }
  std::string PatientId() {
    std::vector<Json> patients = Search("/fhir/Patient");
    EXPECT_EQ(patients.size(), 1u);
    return patients.empty() ? "" : std::string(patients[0].StringOr("id"));
  }

  std::unique_ptr<SqliteAuditLog> log_;
  std::unique_ptr<AuditEventReader> events_;
  std::unique_ptr<AuditingResourceStore> audited_store_;
  std::unique_ptr<ReadNotingResourceStore> noting_store_;
  std::unique_ptr<FhirRestHandler> audited_fhir_;
  std::shared_ptr<PracticeApiHandler> audited_practice_;
  std::unique_ptr<AuditedApi> api_;
};

TEST_F(PracticeAuditTest, AnUploadIsOneEventInItsOwnTransactionCreateThenUpdate) {
  HttpResponse created = Call("POST", "/practice/v1/records", Text("patient.json"));
  ASSERT_EQ(created.status, 200) << created.body;
  std::string patient = PatientId();
  std::vector<Json> events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(AuditEventReader::Subtype(events[0]), "create");
  EXPECT_EQ(events[0].StringOr("action"), "C");
  EXPECT_EQ(events[0].StringOr("outcome"), "0");
  EXPECT_EQ(events[0].StringOr("outcomeDesc"), "HTTP 200");
  EXPECT_EQ(AuditEventReader::Entities(events[0], "Patient/"),
            (std::vector<std::string>{"Patient/" + patient}));
  const Json& agent = events[0].Find("agent")->items()[0];
  EXPECT_EQ(agent.StringOr("altId"), "practice");
  EXPECT_EQ(agent.Find("network")->StringOr("address"), "192.0.2.7");
  EXPECT_TRUE(validator_.Validate(events[0]).empty()) << fhir::WriteJson(events[0]);

  Json changed = Fixture("patient.json");
  changed.Set("phone", Json::String("480-555-0199"));
  ASSERT_EQ(Call("POST", "/practice/v1/records", fhir::WriteJson(changed)).status, 200);
  events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(AuditEventReader::Subtype(events[0]), "update");
  EXPECT_EQ(AuditEventReader::Entities(events[0], "Patient/"),
            (std::vector<std::string>{"Patient/" + patient}));
}

TEST_F(PracticeAuditTest, ABatchIsOneBatchEventNamingEveryPatient) {
  Json batch = Batch({Fixture("patient.json"), Fixture("patient-slp.json")});
  ASSERT_EQ(Call("POST", "/practice/v1/records", fhir::WriteJson(batch)).status, 200);
  std::vector<Json> events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(AuditEventReader::Subtype(events[0]), "batch");
  EXPECT_EQ(AuditEventReader::Entities(events[0], "Patient/").size(), 2u);
}

TEST_F(PracticeAuditTest, AReadAndTheQueuesNameWhatTheyRead) {
  ASSERT_EQ(Call("POST", "/practice/v1/records", Text("patient.json")).status, 200);
  std::string patient = PatientId();
  NewEvents();
  ASSERT_EQ(Call("GET", "/practice/v1/patients/PT-004512").status, 200);
  std::vector<Json> events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(AuditEventReader::Subtype(events[0]), "read");
  EXPECT_EQ(events[0].StringOr("action"), "R");
  EXPECT_EQ(AuditEventReader::Entities(events[0], "Patient/"),
            (std::vector<std::string>{"Patient/" + patient}));

  ASSERT_EQ(Call("GET", "/practice/v1/referrals?status=received").status, 200);
  ASSERT_EQ(Call("GET", "/practice/v1/nps").status, 200);
  events = NewEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(AuditEventReader::Subtype(events[0]), "search-type");
  EXPECT_EQ(AuditEventReader::Subtype(events[1]), "search-type");

  ASSERT_EQ(Call("GET", "/practice/v1/patients/nobody").status, 404);
  events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].StringOr("outcome"), "4");
  EXPECT_TRUE(AuditEventReader::Entities(events[0]).empty());
}

TEST_F(PracticeAuditTest, ARefusedUploadIsAFailureAndNoDataIsNotAudited) {
  HttpResponse refused = Call("POST", "/practice/v1/records", R"({"record":"patient"})");
  EXPECT_EQ(refused.status, 422);
  std::vector<Json> events = NewEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(AuditEventReader::Subtype(events[0]), "update");
  EXPECT_EQ(events[0].StringOr("outcome"), "4");

  EXPECT_EQ(Call("DELETE", "/practice/v1/records").status, 405);
  EXPECT_EQ(Call("GET", "/practice/v1").status, 404);
  EXPECT_TRUE(NewEvents().empty()) << "requests that touch no data are not recorded";
}

TEST_F(PracticeAuditTest, AReadThatCannotBeAuditedIsNotAnsweredAnUploadCarriesItsOwnRecord) {
  testing::FailingAuditLog failing(*log_);
  std::unique_ptr<AuditedApi> api = Audited(failing);
  HttpResponse created = Call("POST", "/practice/v1/records", Text("patient.json"), api.get());
  ASSERT_EQ(created.status, 200) << "the record went into the upload's own transaction";
  ASSERT_EQ(NewEvents().size(), 1u);

  HttpResponse read = Call("GET", "/practice/v1/patients/PT-004512", "", api.get());
  EXPECT_EQ(read.status, 500);
  EXPECT_EQ(read.body.find("Lopez"), std::string::npos) << read.body;
}

TEST(ClassifyPracticeRequestTest, NamesTheInteractionOfEachRoute) {
  auto classify = [](const std::string& method, const std::string& path,
                     const std::string& body = "") {
    HttpRequest request;
    request.method = method;
    request.path = path;
    request.body = body;
    return ClassifyPracticeRequest(request).interaction;
  };
  EXPECT_EQ(classify("POST", "/practice/v1/records", R"({"record":"patient"})"), "update");
  EXPECT_EQ(classify("POST", "/practice/v1/records", R"({"record":"batch"})"), "batch");
  EXPECT_EQ(classify("POST", "/practice/v1/records", "not json"), "update");
  EXPECT_EQ(classify("GET", "/practice/v1/plans_of_care/POC-1"), "read");
  EXPECT_EQ(classify("GET", "/practice/v1/referrals"), "search-type");
  EXPECT_EQ(classify("GET", "/practice/v1/nps"), "search-type");
  EXPECT_EQ(classify("GET", "/practice/v1/records"), "");
  EXPECT_EQ(classify("POST", "/practice/v1/nps"), "");
  EXPECT_EQ(classify("GET", "/practice/v1"), "");
  EXPECT_EQ(classify("GET", "/fhir/Patient/1"), "");
}

}  // namespace
}  // namespace duet::gateway
