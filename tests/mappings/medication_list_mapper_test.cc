#include "mappings/medication_list_mapper.h"

#include <gtest/gtest.h>

#include "mappings/record_converter.h"
#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;
using testing::Fixture;
using testing::TestContext;

std::vector<Json> MapList(const Json& record) {
  return testing::ValueOrFail(MedicationListToFhir(record, TestContext()));
}

TEST(MedicationListMapperTest, ListOfStatementsEachDerivedFromItsDispenses) {
  std::vector<Json> resources = MapList(Fixture("medication_list.json"));
  EXPECT_EQ(resources[0].StringOr("resourceType"), "List");
  EXPECT_EQ(resources[0].StringOr("date"), "2025-01-20T10:15:00-07:00");
  EXPECT_EQ(resources[0].Find("entry")->items().size(), 2U);
  EXPECT_EQ(testing::CountType(resources, "MedicationStatement"), 2U);
  EXPECT_EQ(testing::CountType(resources, "MedicationDispense"), 3U);
  EXPECT_EQ(testing::ValidationErrors(resources), "");
}

TEST(MedicationListMapperTest, CodedMedicationUsesRxNormAndItsFillHistory) {
  std::vector<Json> resources = MapList(Fixture("medication_list.json"));
  const Json& lisinopril = resources[1];
  const Json& coding = lisinopril.Find("medicationCodeableConcept")->Find("coding")->items()[0];
  EXPECT_EQ(coding.StringOr("system"), "http://www.nlm.nih.gov/research/umls/rxnorm");
  EXPECT_EQ(coding.StringOr("code"), "314076");
  EXPECT_EQ(lisinopril.Find("effectivePeriod")->StringOr("start"), "2024-11-02");
  EXPECT_EQ(lisinopril.Find("effectivePeriod")->StringOr("end"), "2025-01-30");
  EXPECT_EQ(lisinopril.Find("derivedFrom")->items().size(), 3U);
  const Json& dispense = resources[3];
  EXPECT_EQ(dispense.StringOr("resourceType"), "MedicationDispense");
  EXPECT_EQ(dispense.StringOr("whenHandedOver"), "2024-12-01");
  EXPECT_EQ(dispense.Find("daysSupply")->Find("value")->number_text(), "30");
}

TEST(MedicationListMapperTest, UncodedMedicationIsTextOnly) {
  std::vector<Json> resources = MapList(Fixture("medication_list.json"));
  const Json* tylenol = nullptr;
  for (const Json& resource : resources) {
    if (resource.StringOr("resourceType") == "MedicationStatement" &&
        resource.Find("medicationCodeableConcept")->StringOr("text") == "Tylenol Extra Strength") {
      tylenol = &resource;
    }
  }
  ASSERT_NE(tylenol, nullptr);
  EXPECT_EQ(tylenol->Find("medicationCodeableConcept")->Find("coding"), nullptr);
  EXPECT_NE(tylenol->Find("informationSource"), nullptr);
}

TEST(MedicationListMapperTest, EmptyListSaysSoAndRoundTrips) {
  Json record = Fixture("medication_list.json");
  record.Set("medications", Json::MakeArray());
  std::vector<Json> resources = MapList(record);
  ASSERT_EQ(resources.size(), 1U);
  EXPECT_NE(resources[0].Find("emptyReason"), nullptr);
  EXPECT_EQ(testing::ValidationErrors(resources), "");
  auto back = ToPractice(resources, "medication_list", "PT-004512", TestContext());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, record);
}

TEST(MedicationListMapperTest, AddDaysCrossesMonthsYearsAndLeapDays) {
  EXPECT_EQ(AddDays("2024-12-31", 30), "2025-01-30");
  EXPECT_EQ(AddDays("2024-02-28", 1), "2024-02-29");
  EXPECT_EQ(AddDays("2023-02-28", 1), "2023-03-01");
  EXPECT_EQ(AddDays("1999-12-31", 366), "2000-12-31");
}

}  // namespace
}  // namespace duet::mappings
