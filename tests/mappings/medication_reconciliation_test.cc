#include "mappings/medication_reconciliation.h"

#include <gtest/gtest.h>

#include "mappings/medication_list_mapper.h"
#include "mappings/prf_validator.h"
#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;

// A MedicationDispense as a medication-history source sends it: lisinopril 10 mg (RxNorm
// 314076), prescribed by Dr. Chen (NPI 1234567893) through a contained MedicationRequest.
Json Dispense(const std::string& id, const std::string& date, const std::string& source,
              const std::string& status = "completed") {
  auto parsed = fhir::ParseJson(R"({"resourceType":"MedicationDispense","id":")" + id +
                                R"(","meta":{"source":")" + source + R"("},
    "contained":[{"resourceType":"MedicationRequest","id":"rx","status":"active","intent":"order",
      "medicationCodeableConcept":{"text":"lisinopril 10 MG Oral Tablet"},
      "subject":{"display":"Maria Lopez"},
      "requester":{"identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567893"}}}],
    "status":")" + status + R"(",
    "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"314076","display":"lisinopril 10 MG Oral Tablet"},
                                           {"system":"http://hl7.org/fhir/sid/ndc","code":"68180051301"}]},
    "subject":{"display":"Maria Lopez"},
    "performer":[{"actor":{"display":"Desert Sky Pharmacy #114, Mesa AZ"}}],
    "authorizingPrescription":[{"reference":"#rx"}],
    "quantity":{"value":30},"daysSupply":{"value":30,"unit":"d","system":"http://unitsofmeasure.org","code":"d"},
    "whenHandedOver":")" + date +
                                R"("})");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? *parsed : Json();
}

std::vector<Json> ScenarioSeven() {
  return {Dispense("a", "2024-11-02", "Surescripts pharmacy fill"),
          Dispense("b", "2024-12-01", "Surescripts PBM claim"),
          Dispense("c", "2024-12-01", "Surescripts pharmacy fill"),
          Dispense("d", "2024-12-31", "Surescripts PBM claim"),
          Dispense("e", "2024-12-15", "Surescripts PBM claim", "entered-in-error")};
}

TEST(MedicationReconciliationTest, ThreeFillsOneDuplicateBecomeOneActiveMedication) {
  std::vector<std::string> problems;
  std::vector<ReportedFill> fills =
      FillsFromDispenses(ResourceSet(ScenarioSeven()), "medication history source", &problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(fills.size(), 5u);
  EXPECT_EQ(fills[0].prescriber_npi, "1234567893");
  EXPECT_EQ(fills[0].pharmacy, "Desert Sky Pharmacy #114, Mesa AZ");

  ReconciledHistory history = ReconcileFills(fills, "2025-01-20");
  EXPECT_EQ(history.reversed_dropped, 1);
  EXPECT_EQ(history.duplicates_collapsed, 1);
  EXPECT_EQ(history.sources,
            (std::vector<std::string>{"Surescripts pharmacy fill", "Surescripts PBM claim"}));
  ASSERT_EQ(history.medications.size(), 1u);
  const Json& lisinopril = history.medications[0];
  EXPECT_EQ(lisinopril.StringOr("rxnorm"), "314076");
  EXPECT_EQ(lisinopril.StringOr("status"), "active");
  EXPECT_EQ(lisinopril.StringOr("first_fill"), "2024-11-02");
  EXPECT_EQ(lisinopril.StringOr("last_fill"), "2024-12-31");
  EXPECT_EQ(lisinopril.StringOr("prescriber_npi"), "1234567893");
  const auto& fills_out = lisinopril.Find("fills")->items();
  ASSERT_EQ(fills_out.size(), 3u);
  EXPECT_EQ(fills_out[1].StringOr("source_name"),
            "Surescripts PBM claim + Surescripts pharmacy fill (duplicate collapsed)");

  // As a PRF medication_list it validates and maps to 3 dispenses and 1 statement effective
  // 2024-11-02 to 2025-01-30.
  Json record =
      MedicationListWithHistory(nullptr, "PT-004512", "2025-01-20T10:15:00Z", history.medications);
  EXPECT_TRUE(PrfValidator::Shared().Validate(record).empty());
  auto resources = MedicationListToFhir(record, testing::TestContext());
  ASSERT_TRUE(resources.ok()) << resources.status().ToString();
  int dispenses = 0;
  for (const Json& resource : *resources) {
    std::string_view type = resource.StringOr("resourceType");
    if (type == "MedicationDispense") ++dispenses;
    if (type == "MedicationStatement") {
      EXPECT_EQ(resource.Find("effectivePeriod")->StringOr("start"), "2024-11-02");
      EXPECT_EQ(resource.Find("effectivePeriod")->StringOr("end"), "2025-01-30");
    }
  }
  EXPECT_EQ(dispenses, 3);
}

TEST(MedicationReconciliationTest, AMedicationEndedMoreThanThirtyDaysAgoIsCompleted) {
  std::vector<std::string> problems;
  ReconciledHistory history = ReconcileFills(
      FillsFromDispenses(ResourceSet(ScenarioSeven()), "src", &problems), "2025-03-02");
  EXPECT_EQ(history.medications[0].StringOr("status"), "completed");
  EXPECT_EQ(ReconcileFills(FillsFromDispenses(ResourceSet(ScenarioSeven()), "src", &problems),
                           "2025-03-01")
                .medications[0]
                .StringOr("status"),
            "active");
}

TEST(MedicationReconciliationTest, UnreadableDispensesAreNamedAndLeftOut) {
  Json no_date = Dispense("f", "", "x");
  no_date.Remove("whenHandedOver");
  Json no_code = Dispense("g", "2024-10-01", "x");
  no_code.Remove("medicationCodeableConcept");
  std::vector<std::string> problems;
  auto fills = FillsFromDispenses(ResourceSet({no_date, no_code}), "src", &problems);
  EXPECT_TRUE(fills.empty());
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "MedicationDispense/f: lacks a fill date; the fill is left out");
}

TEST(MedicationReconciliationTest, PatientReportedMedicationsStayInTheList) {
  Json existing = testing::ReadJsonFile(testing::PrfFixtures() / "medication_list.json");
  std::vector<std::string> problems;
  ReconciledHistory history = ReconcileFills(
      FillsFromDispenses(ResourceSet(ScenarioSeven()), "src", &problems), "2025-01-20");
  Json merged = MedicationListWithHistory(&existing, "PT-004512", "2025-02-01T08:00:00Z",
                                          history.medications);
  const auto& medications = merged.Find("medications")->items();
  ASSERT_EQ(medications.size(), 2u);
  EXPECT_EQ(medications[0].StringOr("source"), "medication_history");
  EXPECT_EQ(medications[1].StringOr("name"), "Tylenol Extra Strength");
}

}  // namespace
}  // namespace duet::mappings
