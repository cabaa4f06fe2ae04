#include "mappings/patient_mapper.h"

#include <gtest/gtest.h>

#include "mappings/extensions.h"
#include "mappings/record_converter.h"
#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;
using testing::Fixture;
using testing::TestContext;

constexpr char kMrnSystem[] = "https://sunrise-pt.example/sid/mrn";

std::vector<Json> MapPatient(const Json& record) {
  return testing::ValueOrFail(PatientToFhir(record, TestContext()));
}

TEST(PatientMapperTest, PatientCarriesMrnMbiAndDemographics) {
  std::vector<Json> resources = MapPatient(Fixture("patient.json"));
  ASSERT_FALSE(resources.empty());
  const Json& patient = resources.front();
  EXPECT_EQ(patient.StringOr("resourceType"), "Patient");
  EXPECT_EQ(patient.Find("meta")->Find("profile")->items()[0].string_value(),
            "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient");
  const Json& mrn = patient.Find("identifier")->items()[0];
  EXPECT_EQ(mrn.StringOr("system"), kMrnSystem);
  EXPECT_EQ(mrn.StringOr("value"), "PT-004512");
  EXPECT_EQ(mrn.Find("type")->Find("coding")->items()[0].StringOr("code"), "MR");
  EXPECT_EQ(IdentifierValue(patient, "http://hl7.org/fhir/sid/us-mbi"), "1EG4TE5MK73");
  EXPECT_EQ(patient.StringOr("gender"), "female");
  EXPECT_EQ(patient.StringOr("birthDate"), "1956-03-14");
  const Json& name = patient.Find("name")->items()[0];
  EXPECT_EQ(name.StringOr("family"), "Lopez");
  EXPECT_EQ(name.Find("given")->items().size(), 2U);
  EXPECT_EQ(patient.Find("address")->items()[0].StringOr("postalCode"), "85213");
  EXPECT_EQ(patient.Find("communication")
                ->items()[0]
                .Find("language")
                ->Find("coding")
                ->items()[0]
                .StringOr("code"),
            "en");
  EXPECT_EQ(testing::ValidationErrors(resources), "");
}

TEST(PatientMapperTest, InsuranceBecomesCoveragesInOrder) {
  std::vector<Json> resources = MapPatient(Fixture("patient.json"));
  ASSERT_EQ(testing::CountType(resources, "Coverage"), 2U);
  const Json& medicare = resources[1];
  const Json& supplement = resources[2];
  EXPECT_EQ(medicare.Find("order")->number_text(), "1");
  EXPECT_EQ(supplement.Find("order")->number_text(), "2");
  EXPECT_EQ(medicare.Find("type")->Find("coding")->items()[0].StringOr("code"), "1");
  EXPECT_EQ(supplement.Find("type")->Find("coding")->items()[0].StringOr("code"), "5");
  EXPECT_EQ(medicare.StringOr("subscriberId"), "1EG4TE5MK73");
  EXPECT_EQ(supplement.Find("payor")->items()[0].StringOr("display"),
            "AARP Medicare Supplement Plan G");
  EXPECT_EQ(supplement.Find("class")->items()[0].StringOr("value"), "MSG-2019");
  EXPECT_EQ(medicare.Find("class"), nullptr);
  EXPECT_EQ(medicare.Find("beneficiary")->StringOr("reference"),
            std::string("Patient?identifier=") + kMrnSystem + "|PT-004512");
}

TEST(PatientMapperTest, HealthGoalsBecomeGoalsThePatientExpressed) {
  std::vector<Json> resources = MapPatient(Fixture("patient.json"));
  ASSERT_EQ(testing::CountType(resources, "Goal"), 2U);
  const Json& first = resources[3];
  EXPECT_EQ(first.Find("description")->StringOr("text"),
            "Walk her granddaughter to school (about half a mile) by spring");
  EXPECT_EQ(first.Find("expressedBy")->StringOr("reference"),
            first.Find("subject")->StringOr("reference"));
  EXPECT_EQ(first.StringOr("lifecycleStatus"), "active");
}

TEST(PatientMapperTest, ValuesAndContactPreferenceRideInExtensions) {
  Json patient = MapPatient(Fixture("patient.json")).front();
  EXPECT_EQ(FindExtensions(patient, ext::kPatientValue).size(), 2U);
  EXPECT_EQ(FindExtension(patient, ext::kContactPreference)->StringOr("valueCode"), "sms");
  EXPECT_EQ(FindExtension(patient, ext::kRecordUpdatedAt)->StringOr("valueInstant"),
            "2025-01-15T08:12:40-07:00");
}

TEST(PatientMapperTest, NoPreferencesMeansNoGoalsAndNoPreferenceExtensions) {
  Json record = Fixture("patient.json");
  record.Remove("preferences");
  std::vector<Json> resources = MapPatient(record);
  EXPECT_EQ(testing::CountType(resources, "Goal"), 0U);
  EXPECT_EQ(FindExtension(resources.front(), ext::kContactPreference), nullptr);
  auto back = PatientFromFhir(ResourceSet(resources), "PT-004512", TestContext());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Find("preferences"), nullptr);
}

TEST(PatientMapperTest, RefusesEveryProblemNamingItsPointer) {
  Json record = Fixture("patient.json");
  record.Set("colour", Json::String("blue"));
  record.Set("sex", Json::String("f"));
  record.Set("birth_date", Json::String("2025-02-30"));
  record.Find("name")->Set("given", Json::String("Maria"));
  auto resources = PatientToFhir(record, TestContext());
  ASSERT_FALSE(resources.ok());
  EXPECT_EQ(resources.status().code(), StatusCode::kInvalidArgument);
  const std::string& message = resources.status().message();
  for (const char* pointer : {"/colour", "/sex", "/birth_date", "/name/given"}) {
    EXPECT_NE(message.find(pointer), std::string::npos) << pointer << " in " << message;
  }
}

TEST(PatientMapperTest, ReverseNamesWhatIsMissing) {
  std::vector<Json> resources = MapPatient(Fixture("patient-slp.json"));
  resources.front().Remove("extension");
  resources.front().Remove("gender");
  auto back = ToPractice(resources, "patient", "PT-004619", TestContext());
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), StatusCode::kUnprocessable);
  EXPECT_NE(back.status().message().find("Patient.gender"), std::string::npos)
      << back.status().message();
  EXPECT_NE(back.status().message().find("record-updated-at"), std::string::npos);
}

TEST(PatientMapperTest, ReverseFindsCoveragesByServerReference) {
  Json record = Fixture("patient.json");
  std::vector<Json> resources = MapPatient(record);
  resources[0].Set("id", Json::String("p1"));
  for (Json& resource : resources) {
    if (Json* beneficiary = resource.Find("beneficiary")) {
      beneficiary->Set("reference", Json::String("https://partner.example/fhir/Patient/p1"));
    }
    if (Json* expressed = resource.Find("expressedBy")) {
      expressed->Set("reference", Json::String("Patient/p1/_history/3"));
    }
  }
  auto back = ToPractice(resources, "patient", "PT-004512", TestContext());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, record);
}

}  // namespace
}  // namespace duet::mappings
