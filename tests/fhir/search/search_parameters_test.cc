#include "fhir/search/search_parameters.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace duet::fhir {
namespace {

const SearchParameterRegistry& Registry() { return SearchParameterRegistry::R4(); }

TEST(SearchParametersTest, EverySupportedTypeHasParametersBeyondTheCommonOnes) {
  for (const std::string& type : SupportedResourceTypes()) {
    size_t own = 0;
    for (const SearchParameterDef* def : Registry().ForType(type)) {
      if (def->resource_type == type) ++own;
      for (const std::string& path : def->paths) {
        EXPECT_TRUE(path.rfind(type + ".", 0) == 0 || path.rfind("Resource.", 0) == 0) << path;
      }
    }
    EXPECT_GT(own, 0u) << type;
  }
  EXPECT_TRUE(IsSupportedResourceType("CarePlan"));
  EXPECT_FALSE(IsSupportedResourceType("Basic"));
}

TEST(SearchParametersTest, PatientOfCarePlanIsSubjectRestrictedToPatient) {
  const SearchParameterDef* patient = Registry().Find("CarePlan", "patient");
  ASSERT_NE(patient, nullptr);
  EXPECT_EQ(patient->type, SearchParamType::kReference);
  EXPECT_EQ(patient->paths, std::vector<std::string>{"CarePlan.subject"});
  EXPECT_EQ(patient->targets, std::vector<std::string>{"Patient"});
  const SearchParameterDef* subject = Registry().Find("CarePlan", "subject");
  ASSERT_NE(subject, nullptr);
  EXPECT_NE(std::find(subject->targets.begin(), subject->targets.end(), "Group"),
            subject->targets.end());
}

TEST(SearchParametersTest, ChoiceElementsAreResolvedToConcretePaths) {
  const SearchParameterDef* value_concept = Registry().Find("Observation", "value-concept");
  ASSERT_NE(value_concept, nullptr);
  EXPECT_EQ(value_concept->paths, std::vector<std::string>{"Observation.valueCodeableConcept"});
  const SearchParameterDef* onset = Registry().Find("Condition", "onset-date");
  ASSERT_NE(onset, nullptr);
  EXPECT_EQ(onset->paths,
            (std::vector<std::string>{"Condition.onsetDateTime", "Condition.onsetPeriod"}));
  // A bare choice element expands to its variants that fit a date.
  const SearchParameterDef* occurrence = Registry().Find("ServiceRequest", "occurrence");
  ASSERT_NE(occurrence, nullptr);
  EXPECT_EQ(occurrence->paths, (std::vector<std::string>{"ServiceRequest.occurrenceDateTime",
                                                         "ServiceRequest.occurrencePeriod",
                                                         "ServiceRequest.occurrenceTiming"}));
  const SearchParameterDef* medication = Registry().Find("MedicationRequest", "medication");
  ASSERT_NE(medication, nullptr);
  EXPECT_EQ(medication->paths, std::vector<std::string>{"MedicationRequest.medicationReference"});
}

TEST(SearchParametersTest, CommonParametersApplyToEveryType) {
  for (const char* code : {"_id", "_lastUpdated", "_tag", "_profile", "_security"}) {
    const SearchParameterDef* def = Registry().Find("Goal", code);
    ASSERT_NE(def, nullptr) << code;
    EXPECT_EQ(def->resource_type, "Resource");
  }
  EXPECT_EQ(Registry().Find("Goal", "_id")->type, SearchParamType::kToken);
  EXPECT_EQ(Registry().Find("Goal", "_lastUpdated")->type, SearchParamType::kDate);
  EXPECT_EQ(Registry().Find("Goal", "no-such-param"), nullptr);
  EXPECT_EQ(Registry().Find("Basic", "code"), nullptr);
  // Composite and special parameters are not supported.
  EXPECT_EQ(Registry().Find("Observation", "code-value-quantity"), nullptr);
}

TEST(SearchParametersTest, FromJsonNamesTheMalformedEntry) {
  StatusOr<SearchParameterRegistry> bad = SearchParameterRegistry::FromJson(
      R"({"parameters":[{"code":"a","resource":"Goal","type":"token","paths":["Goal.a"]},
                         {"code":"b","resource":"Goal","type":"composite","paths":["Goal.b"]}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("parameters[1]"), std::string::npos);
  EXPECT_NE(bad.status().message().find("composite"), std::string::npos);
  EXPECT_FALSE(SearchParameterRegistry::FromJson(R"({"params":[]})").ok());
  StatusOr<SearchParameterRegistry> good = SearchParameterRegistry::FromJson(
      R"({"parameters":[{"code":"a","resource":"Goal","type":"uri","paths":["Goal.a"]}]})");
  ASSERT_TRUE(good.ok());
  ASSERT_NE(good->Find("Goal", "a"), nullptr);
  EXPECT_EQ(good->Find("Goal", "a")->type, SearchParamType::kUri);
}

}  // namespace
}  // namespace duet::fhir
