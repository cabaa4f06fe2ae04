// SyncAudit: what a sync job's disclosures and imports leave in the audit trail.
#include "gateway/sync/sync_audit.h"

#include <gtest/gtest.h>

#include "fhir/validation/validator.h"
#include "gateway/audit/audit_entities.h"
#include "gateway/audit/audit_event.h"
#include "gateway/audit/auditing_store.h"
#include "tests/gateway/store/store_test_util.h"
#include "tests/support/recording_audit_log.h"

namespace duet::gateway {
namespace {

using fhir::Json;

EndpointConfig Evim() {
  EndpointConfig endpoint;
  endpoint.name = "evim";
  endpoint.base_url = "https://evim.example/fhir";
  endpoint.organization_npi = "1620193841";
  return endpoint;
}

TEST(SyncAuditTest, ADisclosureNamesTheJobThePartnerAndItsAnswer) {
  test::RecordingAuditLog log;
  SyncAudit audit(log, "push-evim", Evim());
  AuditRecord record = audit.Draft("transaction");
  AddAuditResource(record, testing::MustParseJson(R"({"resourceType":"CarePlan","id":"cp-1",
      "subject":{"reference":"Patient/p-1"}})"));
  fhir::FhirResponse answer;
  answer.status = 200;
  ASSERT_TRUE(audit.Disclosed(record, answer).ok());
  std::vector<AuditRecord> records = log.Take();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].agent.kind, "sync");
  EXPECT_EQ(records[0].agent.client_id, "push-evim");
  EXPECT_EQ(records[0].agent.organization_npi, "1620193841");
  EXPECT_EQ(records[0].remote_address, "https://evim.example/fhir");
  EXPECT_EQ(records[0].outcome, 0);
  EXPECT_EQ(records[0].patients, (std::vector<std::string>{"p-1"}));

  Json event = BuildAuditEvent(records[0]);
  EXPECT_TRUE(fhir::Validator().Validate(event).empty()) << fhir::WriteJson(event);
  const Json& agents = *event.Find("agent");
  ASSERT_EQ(agents.items().size(), 2u) << "the job, and the partner it disclosed to";
  EXPECT_EQ(agents.items()[0].StringOr("altId"), "push-evim");
  EXPECT_EQ(agents.items()[1].Find("network")->StringOr("address"), "https://evim.example/fhir");
  EXPECT_EQ(agents.items()[1].Find("network")->StringOr("type"), "5");

  AuditRecord unreachable = audit.Draft("transaction");
  ASSERT_TRUE(audit.Disclosed(unreachable, UnavailableError("connection refused")).ok());
  records = log.Take();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].http_status, 0);
  EXPECT_EQ(records[0].outcome, 8);

  log.refuse = true;
  AuditRecord refused = audit.Draft("transaction");
  EXPECT_FALSE(audit.Disclosed(refused, answer).ok()) << "the item is then sent again later";
}

TEST(SyncAuditTest, AFailedImportIsRecordedWithItsOutcome) {
  test::RecordingAuditLog log;
  SyncAudit audit(log, "pull-evim", Evim());
  AuditRecord record = audit.Draft("search-type");
  Status taken = audit.Imported(record, [] { return UnprocessableError("not a referral"); });
  EXPECT_EQ(taken.code(), StatusCode::kUnprocessable);
  std::vector<AuditRecord> records = log.Take();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].interaction, "search-type");
  EXPECT_EQ(records[0].outcome, 4);

  log.refuse = true;
  AuditRecord refused = audit.Draft("search-type");
  EXPECT_FALSE(audit.Imported(refused, [] { return Status::Ok(); }).ok());
}

TEST(SyncAuditTest, AnImportThatCommitsCarriesItsRecordInItsTransaction) {
  testing::TempDir dir;
  testing::StoreWithAudit db = testing::MustOpenWithAudit(dir.File("duet.db"));
  ASSERT_TRUE(db.store && db.log);
  AuditingResourceStore store(*db.store);
  test::RecordingAuditLog log;  // only for what no transaction carries
  SyncAudit audit(log, "pull-evim", Evim());
  AuditRecord record = audit.Draft("search-type");
  Status taken = audit.Imported(record, [&]() -> Status {
    DUET_ASSIGN_OR_RETURN(auto write, store.BeginWrite());
    DUET_RETURN_IF_ERROR(
        write->Create("Patient", "p-9", testing::MustParseJson(R"({"resourceType":"Patient"})"))
            .status());
    return write->Commit();
  });
  ASSERT_TRUE(taken.ok()) << taken.ToString();
  EXPECT_TRUE(log.Take().empty());
  auto page = db.log->Query({});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 1u);
  Json event = testing::MustParseJson(page->events[0]);
  EXPECT_EQ(event.Find("agent")->items()[0].StringOr("altId"), "pull-evim");
  EXPECT_EQ(event.Find("entity")->items()[0].Find("what")->StringOr("reference"), "Patient/p-9");
  EXPECT_EQ(event.StringOr("outcomeDesc"), "HTTP 200");
}

}  // namespace
}  // namespace duet::gateway
