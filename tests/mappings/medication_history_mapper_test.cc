#include "mappings/medication_history_mapper.h"

#include <gtest/gtest.h>

#include "mappings/fhir_bundle_writer.h"
#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;

constexpr char kStatementSystem[] = "https://sunrise-pt.example/sid/medication-history-statement";
constexpr char kDispenseSystem[] = "https://sunrise-pt.example/sid/medication-history-dispense";

ReportedFill Fill(const std::string& date, const std::string& source, const std::string& claim) {
  ReportedFill fill;
  fill.rxnorm = "314076";
  fill.name = "lisinopril 10 MG Oral Tablet";
  fill.date = date;
  fill.quantity = Json::Number("30");
  fill.days_supply = 30;
  fill.pharmacy = "Desert Sky Pharmacy #114, Mesa AZ";
  fill.prescriber_npi = "1234567893";
  fill.source_name = source;
  fill.identifiers = {testing::ParseOrDie(R"({"system":"https://)" + source +
                                          R"(.example/fills","value":")" + claim + R"("})")};
  return fill;
}

ReconciledHistory ScenarioSeven() {
  return ReconcileFills(
      {Fill("2024-11-02", "pharmacy", "4471-0"), Fill("2024-12-01", "pharmacy", "4471-1"),
       Fill("2024-12-01", "pbm", "CLM-1"), Fill("2024-12-31", "pbm", "CLM-2")},
      "2025-01-20");
}

TEST(MedicationHistoryMapperTest, OneStatementDerivedFromOneDispensePerReconciledFill) {
  auto resources = MedicationHistoryToFhir(ScenarioSeven(), "PT-004512", "2025-01-20T17:15:00.000Z",
                                           testing::TestContext());
  ASSERT_TRUE(resources.ok()) << resources.status().ToString();
  EXPECT_EQ(testing::ValidationErrors(*resources), "");
  ASSERT_EQ(resources->size(), 4u);
  const Json& statement = (*resources)[0];
  EXPECT_EQ(statement.StringOr("resourceType"), "MedicationStatement");
  EXPECT_EQ(IdentifierValue(statement, kStatementSystem), "PT-004512/rxnorm-314076/1234567893");
  EXPECT_EQ(statement.StringOr("status"), "active");
  EXPECT_EQ(statement.Find("effectivePeriod")->StringOr("end"), "2025-01-30");
  EXPECT_EQ(statement.StringOr("dateAsserted"), "2025-01-20T17:15:00.000Z");
  std::string text = fhir::WriteJson(statement);
  EXPECT_EQ(text.find("\"rank\""), std::string::npos) << "not a position in the practice's list";
  EXPECT_NE(
      text.find(
          R"("valueReference":{"identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567893"}})"),
      std::string::npos)
      << text;
  EXPECT_EQ(statement.Find("derivedFrom")->items().size(), 3u);
  const Json& both = (*resources)[2];
  EXPECT_EQ(both.StringOr("whenHandedOver"), "2024-12-01");
  ASSERT_EQ(both.Find("identifier")->items().size(), 3u) << fhir::WriteJson(both);
  EXPECT_EQ(both.Find("identifier")->items()[0].StringOr("system"), kDispenseSystem);
  EXPECT_EQ(both.Find("identifier")->items()[1].StringOr("value"), "4471-1");
  EXPECT_EQ(both.Find("identifier")->items()[2].StringOr("value"), "CLM-1");

  auto again = MedicationHistoryToFhir(ScenarioSeven(), "PT-004512", "2025-01-20T17:15:00.000Z",
                                       testing::TestContext());
  EXPECT_EQ(*again, *resources) << "the same fills always give the same resources";
}

TEST(MedicationHistoryMapperTest, StoredHistoryReadsBackAsPrfMedications) {
  auto resources = MedicationHistoryToFhir(ScenarioSeven(), "PT-004512", "2025-01-20T17:15:00Z",
                                           testing::TestContext());
  ASSERT_TRUE(resources.ok());
  std::vector<Json> stored = testing::StoreOnServer(ToTransactionBundle(*resources));
  auto medications = MedicationHistoryFromFhir(ResourceSet(stored), testing::TestContext());
  ASSERT_TRUE(medications.ok()) << medications.status().ToString();
  ASSERT_EQ(medications->size(), 1u);
  EXPECT_EQ((*medications)[0], ScenarioSeven().medications[0]);

  stored[0].Set("status", Json::String("entered-in-error"));
  EXPECT_TRUE(MedicationHistoryFromFhir(ResourceSet(stored), testing::TestContext())->empty());
}

TEST(MedicationHistoryMapperTest, OnlyPulledHistoryCounts) {
  std::vector<Json> list_resources = testing::ToFhirOrDie(testing::Fixture("medication_list.json"));
  for (const Json& resource : list_resources) {
    EXPECT_FALSE(IsMedicationHistory(resource, testing::TestContext()))
        << "the practice's own list: " << resource.StringOr("resourceType");
  }
  auto medications = MedicationHistoryFromFhir(ResourceSet(list_resources), testing::TestContext());
  ASSERT_TRUE(medications.ok());
  EXPECT_TRUE(medications->empty());
}

}  // namespace
}  // namespace duet::mappings
