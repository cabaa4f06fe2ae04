// Every PRF example survives PRF → FHIR → PRF unchanged, directly and after a simulated server
// has stored the transaction Bundle (server ids, "Type/id" references), and every resource it
// produces is valid R4.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "mappings/fhir_bundle_writer.h"
#include "mappings/record_converter.h"
#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;
using testing::Fixture;
using testing::TestContext;

std::vector<std::string> ExampleNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(testing::PrfFixtures())) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class RoundTripTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTripTest, EveryResourceIsValidR4) {
  std::vector<Json> resources = testing::ToFhirOrDie(Fixture(GetParam()));
  ASSERT_FALSE(resources.empty());
  EXPECT_EQ(testing::ValidationErrors(resources), "");
  EXPECT_EQ(testing::ValidationErrors({ToTransactionBundle(resources)}), "");
}

TEST_P(RoundTripTest, RecordComesBackUnchanged) {
  Json record = Fixture(GetParam());
  std::vector<Json> resources = testing::ToFhirOrDie(record);
  auto back = ToPracticeRecords(resources, TestContext());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, record) << fhir::WriteJson(*back, true);
}

TEST_P(RoundTripTest, RecordComesBackFromWhatAServerStores) {
  Json record = Fixture(GetParam());
  std::vector<Json> stored =
      testing::StoreOnServer(ToTransactionBundle(testing::ToFhirOrDie(record)));
  auto back = ToPracticeRecords(stored, TestContext());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, record) << fhir::WriteJson(*back, true);
}

TEST_P(RoundTripTest, SameRecordGivesTheSameBundle) {
  Json record = Fixture(GetParam());
  EXPECT_EQ(fhir::WriteJson(ToTransactionBundle(testing::ToFhirOrDie(record))),
            fhir::WriteJson(ToTransactionBundle(testing::ToFhirOrDie(record))));
}

INSTANTIATE_TEST_SUITE_P(PrfExamples, RoundTripTest, ::testing::ValuesIn(ExampleNames()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name =
                               param_info.param.substr(0, param_info.param.size() - 5);
                           std::replace_if(
                               name.begin(), name.end(),
                               [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
                               '_');
                           return name;
                         });

TEST(RoundTripTest, FixturesAreThere) { EXPECT_GE(ExampleNames().size(), 18U); }

TEST(RoundTripTest, ValidationCatchesAnInvalidResource) {
  std::vector<Json> resources = testing::ToFhirOrDie(Fixture("patient.json"));
  resources.front().Set("gender", Json::String("f"));
  resources.front().Find("name")->items()[0].Set("given", Json::String("Maria"));
  std::string errors = testing::ValidationErrors(resources);
  EXPECT_NE(errors.find("Patient.gender"), std::string::npos) << errors;
  EXPECT_NE(errors.find("Patient.name[0].given"), std::string::npos) << errors;
}

// The mapping does not replace the schema validator, but it never loses data silently: a record
// with a defect is either refused with the defect's JSON pointer or converted without loss.
TEST(RoundTripTest, DefectiveRecordsAreRefusedOrKeptWhole) {
  struct Case {
    const char* file;
    const char* pointer;  // "" when the defect does not stop the mapping
  };
  const Case cases[] = {
      {"patient-unknown-member.json", "/middle_name"},
      {"patient-null-optional.json", "/email"},
      {"patient-given-not-array.json", "/name/given"},
      {"provider-npi-nine-digits.json", ""},
      {"referral-priority-enum.json", "/priority"},
      {"referral-empty-diagnoses.json", "/diagnoses"},
      {"referral-missing-patient-mrn.json", "/patient_mrn"},
      {"plan_of_care-bad-date.json", "/start_of_care"},
      {"plan_of_care-icd10-no-dot.json", ""},
      {"plan_of_care-goal-term-enum.json", "/goals/0/term"},
      {"plan_of_care-unknown-nested-member.json", "/certification/signed_by"},
      {"home_exercise_program-missing-times-per-day.json", "/exercises/0/times_per_day"},
      {"home_exercise_program-days-daily.json", "/exercises/0/days"},
      {"home_exercise_program-duplicate-day.json", ""},
      {"medication_list-rxnorm-prefixed.json", ""},
      {"nps_response-score-11.json", "/score"},
      {"nps_response-score-fraction.json", "/score"},
      {"education-instant-no-offset.json", "/sent_at"},
      {"batch-unknown-record-type.json", "/records/9/record"},
      {"batch-nested-batch.json", "/records/0"},
      {"batch-bad-rxnorm-inside-record.json", "/records/6/medications/1/rxnorm"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    Json record = testing::ReadJsonFile(testing::PrfFixtures() / "invalid" / c.file);
    auto resources = ToFhir(record, TestContext());
    if (*c.pointer != '\0') {
      ASSERT_FALSE(resources.ok());
      EXPECT_NE(resources.status().message().find(c.pointer), std::string::npos)
          << resources.status().message();
      continue;
    }
    ASSERT_TRUE(resources.ok()) << resources.status().ToString();
    auto back = ToPracticeRecords(*resources, TestContext());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, record);
  }
}

TEST(RoundTripTest, BatchKeepsRecordOrder) {
  Json batch = Fixture("batch.json");
  auto back = ToPracticeRecords(testing::ToFhirOrDie(batch), TestContext());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->Find("records")->items().size(), batch.Find("records")->items().size());
  for (size_t i = 0; i < batch.Find("records")->items().size(); ++i) {
    EXPECT_EQ(back->Find("records")->items()[i].StringOr("record"),
              batch.Find("records")->items()[i].StringOr("record"));
  }
}

TEST(RoundTripTest, EmptyOptionalArraysSurvive) {
  Json patient = Fixture("patient.json");
  patient.Set("insurance", Json::MakeArray());
  patient.Find("name")->Set("prefix", Json::MakeArray());
  patient.Find("preferences")->Set("values", Json::MakeArray());
  std::vector<Json> resources = testing::ToFhirOrDie(patient);
  EXPECT_EQ(testing::ValidationErrors(resources), "");
  auto back = ToPractice(resources, "patient", "PT-004512", TestContext());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, patient) << fhir::WriteJson(*back, true);
}

TEST(RoundTripTest, ToPracticeNamesAMissingMainResource) {
  auto back =
      ToPractice(testing::ToFhirOrDie(Fixture("patient.json")), "patient", "PT-999", TestContext());
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), StatusCode::kNotFound);
  EXPECT_NE(back.status().message().find("PT-999"), std::string::npos);
}

TEST(RoundTripTest, UnknownRecordTypeIsRefusedWithItsPointer) {
  Json batch = testing::ParseOrDie(
      R"({"record":"batch","records":[{"record":"invoice","id":"1"},{"record":"batch"}]})");
  auto resources = ToFhir(batch, TestContext());
  ASSERT_FALSE(resources.ok());
  EXPECT_NE(resources.status().message().find("/records/0/record"), std::string::npos)
      << resources.status().message();
  EXPECT_NE(resources.status().message().find("/records/1"), std::string::npos);
}

TEST(RoundTripTest, ProblemsInsideABatchRecordNameTheFullPointer) {
  Json batch = Fixture("batch.json");
  batch.Find("records")->items()[1].Set("colour", Json::String("blue"));
  auto resources = ToFhir(batch, TestContext());
  ASSERT_FALSE(resources.ok());
  EXPECT_EQ(resources.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(resources.status().message().find("/records/1/colour: is not a member"),
            std::string::npos)
      << resources.status().message();
}

}  // namespace
}  // namespace duet::mappings
