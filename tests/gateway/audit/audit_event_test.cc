#include "gateway/audit/audit_event.h"

#include <gtest/gtest.h>

#include "fhir/validation/validator.h"
#include "gateway/audit/audit_query.h"

namespace duet::gateway {
namespace {

using fhir::Json;

AuditRecord SearchRecord() {
  AuditRecord record;
  record.id = "0123456789abcdef0123456789abcdef";
  record.recorded_ms = 1795800000123;
  record.agent = {"client", "evim-ehr", "1620193841"};
  record.remote_address = "192.0.2.7";
  record.interaction = "search-type";
  record.resource_type = "CarePlan";
  record.http_status = 200;
  record.outcome = 0;
  record.patients = {"p1", "p2"};
  record.resources = {"CarePlan/cp-1", "Patient/p1", "CarePlan/cp-2"};
  return record;
}

std::string Code(const Json& event, const char* member) {
  const Json* value = event.Find(member);
  if (value == nullptr) return "";
  if (value->is_array()) value = &value->items().front();
  return std::string(value->StringOr("code"));
}

TEST(AuditEventTest, IsAValidR4AuditEventWithEveryField) {
  Json event = BuildAuditEvent(SearchRecord());
  fhir::Validator validator;
  std::vector<fhir::ValidationIssue> issues = validator.Validate(event);
  for (const auto& issue : issues) ADD_FAILURE() << issue.path << ": " << issue.message;

  EXPECT_EQ(event.StringOr("id"), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(Code(event, "type"), "rest");
  EXPECT_EQ(event.Find("type")->StringOr("system"),
            "http://terminology.hl7.org/CodeSystem/audit-event-type");
  EXPECT_EQ(Code(event, "subtype"), "search-type");
  EXPECT_EQ(event.Find("subtype")->items()[0].StringOr("system"),
            "http://hl7.org/fhir/restful-interaction");
  EXPECT_EQ(event.StringOr("action"), "E");
  EXPECT_EQ(event.StringOr("recorded"), "2026-11-27T17:20:00.123Z");
  EXPECT_EQ(event.StringOr("outcome"), "0");
  EXPECT_EQ(event.StringOr("outcomeDesc"), "HTTP 200");
  const Json& agent = event.Find("agent")->items()[0];
  EXPECT_EQ(agent.StringOr("altId"), "evim-ehr");
  EXPECT_TRUE(agent.Find("requestor")->bool_value());
  EXPECT_EQ(agent.Find("who")->Find("identifier")->StringOr("value"), "1620193841");
  EXPECT_EQ(agent.Find("who")->Find("identifier")->StringOr("system"),
            "http://hl7.org/fhir/sid/us-npi");
  EXPECT_EQ(agent.Find("network")->StringOr("address"), "192.0.2.7");
  EXPECT_EQ(agent.Find("network")->StringOr("type"), "2");
  EXPECT_EQ(event.Find("source")->StringOr("site"), "duet");

  std::vector<std::string> patients, resources;
  for (const Json& entity : event.Find("entity")->items()) {
    std::string reference(entity.Find("what")->StringOr("reference"));
    (entity.Find("role")->StringOr("code") == "1" ? patients : resources).push_back(reference);
  }
  EXPECT_EQ(patients, (std::vector<std::string>{"Patient/p1", "Patient/p2"}));
  EXPECT_EQ(resources, (std::vector<std::string>{"CarePlan/cp-1", "CarePlan/cp-2"}))
      << "a Patient is listed once, as the patient";
}

TEST(AuditEventTest, RefusalsAndDevelopmentAgentsAreValidToo) {
  AuditRecord record = SearchRecord();
  record.agent = {"unauthenticated", "", ""};
  record.interaction = "read";
  record.http_status = 401;
  record.outcome = AuditOutcomeFor(401);
  record.patients.clear();
  record.resources.clear();
  record.remote_address.clear();
  Json event = BuildAuditEvent(record);
  EXPECT_TRUE(fhir::Validator().Validate(event).empty()) << fhir::WriteJson(event);
  EXPECT_EQ(event.StringOr("outcome"), "4");
  EXPECT_EQ(event.StringOr("outcomeDesc"), "HTTP 401: no valid bearer token");
  EXPECT_EQ(event.StringOr("action"), "R");
  EXPECT_EQ(event.Find("entity"), nullptr);
  EXPECT_EQ(event.Find("agent")->items()[0].StringOr("altId"), "unauthenticated");
  EXPECT_EQ(event.Find("agent")->items()[0].Find("network"), nullptr);
}

TEST(AuditEventTest, ActionsAndOutcomes) {
  EXPECT_EQ(AuditAction("create"), "C");
  EXPECT_EQ(AuditAction("vread"), "R");
  EXPECT_EQ(AuditAction("update"), "U");
  EXPECT_EQ(AuditAction("delete"), "D");
  EXPECT_EQ(AuditAction("transaction"), "E");
  EXPECT_EQ(AuditAction("history-instance"), "E");
  EXPECT_EQ(AuditOutcomeFor(200), 0);
  EXPECT_EQ(AuditOutcomeFor(304), 0);
  EXPECT_EQ(AuditOutcomeFor(403), 4);
  EXPECT_EQ(AuditOutcomeFor(404), 4);
  EXPECT_EQ(AuditOutcomeFor(500), 8);
  EXPECT_NE(NewAuditId(), NewAuditId());
  EXPECT_EQ(NewAuditId().size(), 32u);
}

TEST(AuditQueryTest, ReadsEveryParameter) {
  std::vector<AuditQueryProblem> problems;
  AuditQuery query = ParseAuditQuery({{"patient", "Patient/p1"},
                                      {"client", "evim-ehr"},
                                      {"since", "2026-11-27"},
                                      {"until", "2026-11-27"},
                                      {"interaction", "read"},
                                      {"outcome", "4"},
                                      {"_count", "10"},
                                      {"_cursor", "42"}},
                                     &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(query.patient, "p1");
  EXPECT_EQ(query.client, "evim-ehr");
  ASSERT_TRUE(query.since_ms && query.until_ms && query.outcome);
  EXPECT_EQ(*query.since_ms, 1795737600000);
  EXPECT_EQ(*query.until_ms, 1795737600000 + 86400000) << "until a date includes that day";
  EXPECT_EQ(query.interaction, "read");
  EXPECT_EQ(*query.outcome, 4);
  EXPECT_EQ(query.count, 10);
  EXPECT_EQ(query.cursor, 42);
}

TEST(AuditQueryTest, NamesEveryBadParameter) {
  std::vector<AuditQueryProblem> problems;
  ParseAuditQuery({{"since", "yesterday"},
                   {"outcome", "3"},
                   {"_count", "0"},
                   {"interaction", "peek"},
                   {"name", "Lopez"}},
                  &problems);
  std::vector<std::string> named;
  for (const AuditQueryProblem& problem : problems) named.push_back(problem.parameter);
  EXPECT_EQ(named, (std::vector<std::string>{"since", "outcome", "_count", "interaction", "name"}));
}

TEST(AuditQueryTest, RendersASearchsetWithLinksAndOneLinePerEvent) {
  AuditPage page;
  page.events = {fhir::WriteJson(BuildAuditEvent(SearchRecord()))};
  page.total = 3;
  page.next_cursor = 17;
  Json bundle = AuditBundle(page, {{"client", "evim-ehr"}, {"_cursor", "20"}},
                            "https://duet.test/admin/v1/audit");
  EXPECT_EQ(bundle.StringOr("type"), "searchset");
  EXPECT_EQ(bundle.Find("total")->number_text(), "3");
  const Json& links = *bundle.Find("link");
  EXPECT_EQ(links.items()[0].StringOr("url"), "https://duet.test/admin/v1/audit?client=evim-ehr");
  EXPECT_EQ(links.items()[1].StringOr("url"),
            "https://duet.test/admin/v1/audit?client=evim-ehr&_cursor=17");
  EXPECT_EQ(bundle.Find("entry")->items()[0].Find("resource")->StringOr("resourceType"),
            "AuditEvent");
  EXPECT_TRUE(fhir::Validator().Validate(bundle).empty());
  EXPECT_EQ(AuditLine(*bundle.Find("entry")->items()[0].Find("resource")),
            "2026-11-27T17:20:00.123Z search-type outcome=0 client=evim-ehr org=1620193841 "
            "from=192.0.2.7 entities=Patient/p1,Patient/p2,CarePlan/cp-1,CarePlan/cp-2 "
            "id=0123456789abcdef0123456789abcdef");
}

}  // namespace
}  // namespace duet::gateway
