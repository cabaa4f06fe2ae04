#include "fhir/search/search_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fhir/search/search_parameters.h"

namespace duet::fhir {
namespace {

const std::string kExamples = std::string(DUET_FIXTURES_DIR) + "/fhir/spec-examples/";

Json LoadExample(const std::string& file) {
  std::ifstream in(kExamples + file, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << file;
  std::stringstream text;
  text << in.rdbuf();
  StatusOr<Json> json = ParseJson(text.str());
  EXPECT_TRUE(json.ok()) << file << ": " << json.status().ToString();
  return json.ok() ? *json : Json();
}

SearchIndexRows Extract(const Json& resource) {
  return ExtractSearchIndexRows(resource, SearchParameterRegistry::R4());
}

bool HasToken(const SearchIndexRows& rows, const std::string& param, const std::string& system,
              const std::string& code) {
  return std::any_of(rows.tokens.begin(), rows.tokens.end(), [&](const TokenIndexRow& r) {
    return r.param == param && r.system == system && r.code == code;
  });
}

bool HasReference(const SearchIndexRows& rows, const std::string& param, const std::string& type,
                  const std::string& id) {
  return std::any_of(rows.references.begin(), rows.references.end(),
                     [&](const ReferenceIndexRow& r) {
                       return r.param == param && r.target_type == type && r.target_id == id;
                     });
}

bool HasDate(const SearchIndexRows& rows, const std::string& param, const std::string& low,
             const std::string& high) {
  return std::any_of(rows.dates.begin(), rows.dates.end(), [&](const DateIndexRow& r) {
    return r.param == param && r.low == low && r.high == high;
  });
}

bool HasString(const SearchIndexRows& rows, const std::string& param,
               const std::string& normalized) {
  return std::any_of(rows.strings.begin(), rows.strings.end(), [&](const StringIndexRow& r) {
    return r.param == param && r.normalized == normalized;
  });
}

size_t CountParam(const std::vector<ReferenceIndexRow>& rows, const std::string& param) {
  return std::count_if(rows.begin(), rows.end(),
                       [&](const ReferenceIndexRow& r) { return r.param == param; });
}

TEST(SearchIndexTest, PatientExample) {
  const SearchIndexRows rows = Extract(LoadExample("Patient-example.json"));
  EXPECT_TRUE(HasToken(rows, "identifier", "urn:oid:1.2.36.146.595.217.0.1", "12345"));
  EXPECT_TRUE(HasToken(rows, "gender", "", "male"));
  EXPECT_TRUE(HasToken(rows, "active", "", "true"));
  EXPECT_TRUE(HasToken(rows, "telecom", "phone", "(03) 5555 6473"));
  EXPECT_TRUE(HasToken(rows, "address-use", "", "home"));
  EXPECT_TRUE(HasDate(rows, "birthdate", "1974-12-25T00:00:00.000Z", "1974-12-26T00:00:00.000Z"));
  EXPECT_TRUE(HasString(rows, "family", "chalmers"));
  EXPECT_TRUE(HasString(rows, "given", "peter"));
  // HumanName and Address are expanded into their parts.
  EXPECT_TRUE(HasString(rows, "name", "jim"));
  EXPECT_TRUE(HasString(rows, "name", "windsor"));
  EXPECT_TRUE(HasString(rows, "address", "pleasantville"));
  EXPECT_TRUE(HasString(rows, "address", "534 erewhon st"));
  EXPECT_TRUE(HasString(rows, "address-postalcode", "3999"));
  EXPECT_TRUE(HasReference(rows, "organization", "Organization", "1"));
  // "Peter" appears in two names, indexed once.
  EXPECT_EQ(std::count_if(rows.strings.begin(), rows.strings.end(),
                          [](const StringIndexRow& r) {
                            return r.param == "given" && r.normalized == "peter";
                          }),
            1);
  // _id and _lastUpdated are columns of the store, not index rows.
  EXPECT_FALSE(HasToken(rows, "_id", "", "example"));
}

TEST(SearchIndexTest, CarePlanSkipsContainedReferencesAndRestrictsPatient) {
  const SearchIndexRows rows = Extract(LoadExample("CarePlan-f001.json"));
  EXPECT_TRUE(HasReference(rows, "subject", "Patient", "f001"));
  EXPECT_TRUE(HasReference(rows, "patient", "Patient", "f001"));
  EXPECT_TRUE(HasReference(rows, "condition", "Condition", "f201"));
  EXPECT_TRUE(HasReference(rows, "performer", "Practitioner", "f002"));
  EXPECT_EQ(CountParam(rows.references, "goal"), 0u);       // "#goal" is contained
  EXPECT_EQ(CountParam(rows.references, "care-team"), 0u);  // "#careteam"
  EXPECT_TRUE(HasToken(rows, "status", "", "completed"));
  EXPECT_TRUE(
      HasToken(rows, "identifier", "http://www.bmc.nl/zorgportal/identifiers/careplans", "CP2903"));
  EXPECT_TRUE(HasToken(rows, "activity-code", "http://snomed.info/sct", "64915003"));
  EXPECT_TRUE(HasDate(rows, "date", "2011-06-26T00:00:00.000Z", "2011-06-28T00:00:00.000Z"));
  // The contained Goal's subject is not the CarePlan's.
  EXPECT_EQ(CountParam(rows.references, "subject"), 1u);
}

TEST(SearchIndexTest, ConditionCodeableConceptsAndChoiceDates) {
  const SearchIndexRows rows = Extract(LoadExample("Condition-f201.json"));
  EXPECT_TRUE(HasToken(rows, "code", "http://snomed.info/sct", "386661006"));
  EXPECT_TRUE(HasToken(rows, "category", "http://snomed.info/sct", "55607006"));
  EXPECT_TRUE(HasToken(rows, "category", "http://terminology.hl7.org/CodeSystem/condition-category",
                       "problem-list-item"));
  EXPECT_TRUE(HasToken(rows, "clinical-status",
                       "http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved"));
  EXPECT_TRUE(HasToken(rows, "identifier", "", "12345"));
  EXPECT_TRUE(HasDate(rows, "onset-date", "2013-04-02T00:00:00.000Z", "2013-04-03T00:00:00.000Z"));
  EXPECT_TRUE(HasString(rows, "abatement-string", "around april 9, 2013"));
  EXPECT_TRUE(HasReference(rows, "evidence-detail", "Observation", "f202"));
  EXPECT_TRUE(HasReference(rows, "encounter", "Encounter", "f201"));
}

TEST(SearchIndexTest, TaskReferencesIgnoreVersionsAndDisplayOnlyReferences) {
  const SearchIndexRows rows = Extract(LoadExample("Task-example1.json"));
  EXPECT_TRUE(HasReference(rows, "focus", "ServiceRequest", "lipid"));
  EXPECT_TRUE(HasReference(rows, "patient", "Patient", "example"));
  EXPECT_EQ(CountParam(rows.references, "based-on"), 0u);  // display only
  EXPECT_TRUE(HasToken(rows, "status", "", "in-progress"));
  EXPECT_TRUE(HasToken(rows, "group-identifier", "http:/goodhealth.org/accession/identifiers",
                       "G20170201-001"));
}

TEST(SearchIndexTest, ObservationValuesQuantitiesAndPeriods) {
  StatusOr<Json> observation = ParseJson(R"({
    "resourceType": "Observation", "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
    "subject": {"reference": "https://other.example/fhir/Patient/p9/_history/3"},
    "performer": [{"reference": "urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0"},
                  {"identifier": {"system": "urn:npi", "value": "1"}}],
    "effectivePeriod": {"start": "2024-03-01T10:00:00+02:00"},
    "valueQuantity": {"value": 72.50, "unit": "beats/min", "system": "http://unitsofmeasure.org",
                      "code": "/min"},
    "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                   "valueCodeableConcept": {"coding": [{"system": "urn:s", "code": "high"}],
                                            "text": "Élevée"}}]
  })");
  ASSERT_TRUE(observation.ok()) << observation.status().ToString();
  const SearchIndexRows rows = Extract(*observation);
  EXPECT_TRUE(HasReference(rows, "subject", "Patient", "p9"));
  EXPECT_TRUE(HasReference(rows, "patient", "Patient", "p9"));
  EXPECT_EQ(CountParam(rows.references, "performer"), 0u);
  EXPECT_TRUE(HasDate(rows, "date", "2024-03-01T08:00:00.000Z", "9999-12-31T23:59:59.999Z"));
  ASSERT_EQ(std::count_if(rows.quantities.begin(), rows.quantities.end(),
                          [](const QuantityIndexRow& r) { return r.param == "value-quantity"; }),
            1);
  const auto quantity =
      std::find_if(rows.quantities.begin(), rows.quantities.end(),
                   [](const QuantityIndexRow& r) { return r.param == "value-quantity"; });
  EXPECT_DOUBLE_EQ(quantity->value, 72.5);
  EXPECT_EQ(quantity->text, "72.50");
  EXPECT_EQ(quantity->code, "/min");
  EXPECT_TRUE(HasToken(rows, "combo-code", "http://loinc.org", "8480-6"));
  EXPECT_TRUE(HasToken(rows, "combo-code", "http://loinc.org", "8867-4"));
  EXPECT_TRUE(HasToken(rows, "component-value-concept", "urn:s", "high"));
}

TEST(SearchIndexTest, MetaTagsAndProfilesAreIndexed) {
  StatusOr<Json> goal = ParseJson(R"({
    "resourceType": "Goal", "id": "g", "lifecycleStatus": "active",
    "meta": {"profile": ["http://example.org/Goal"],
             "tag": [{"system": "urn:tags", "code": "rehab"}]},
    "description": {"text": "walk"}, "subject": {"reference": "Patient/1"},
    "startDate": "2024-01-05", "target": [{"dueDate": "2024-06-30"}]})");
  ASSERT_TRUE(goal.ok());
  const SearchIndexRows rows = Extract(*goal);
  EXPECT_TRUE(HasToken(rows, "_tag", "urn:tags", "rehab"));
  ASSERT_EQ(rows.uris.size(), 1u);
  EXPECT_EQ(rows.uris[0].param, "_profile");
  EXPECT_TRUE(HasDate(rows, "start-date", "2024-01-05T00:00:00.000Z", "2024-01-06T00:00:00.000Z"));
  EXPECT_TRUE(HasDate(rows, "target-date", "2024-06-30T00:00:00.000Z", "2024-07-01T00:00:00.000Z"));
}

TEST(SearchIndexTest, NormalizeFoldsCaseAccentsAndSpaces) {
  EXPECT_EQ(NormalizeSearchString("  Érin   DU Marché "), "erin du marche");
  EXPECT_EQ(NormalizeSearchString("Straße"), "strasse");
  EXPECT_EQ(NormalizeSearchString("Łódź"), "lodz");
  EXPECT_EQ(NormalizeSearchString("Ærø"), "aero");
  EXPECT_EQ(NormalizeSearchString("日本"), "日本");
}

TEST(SearchIndexTest, SplitReference) {
  std::string type, id;
  EXPECT_TRUE(SplitReference("Patient/1", &type, &id));
  EXPECT_EQ(type + "/" + id, "Patient/1");
  EXPECT_TRUE(SplitReference("https://x.org/fhir/Goal/a.b-c/_history/2", &type, &id));
  EXPECT_EQ(type + "/" + id, "Goal/a.b-c");
  EXPECT_TRUE(SplitReference("http://x.org/Questionnaire/q1|2.0", &type, &id));
  EXPECT_EQ(type + "/" + id, "Questionnaire/q1");
  EXPECT_FALSE(SplitReference("#contained", &type, &id));
  EXPECT_FALSE(SplitReference("urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0", &type, &id));
  EXPECT_FALSE(SplitReference("1234", &type, &id));
  EXPECT_FALSE(SplitReference("patient/1", &type, &id));
  EXPECT_FALSE(SplitReference("Patient/", &type, &id));
}

// Every example of a supported type indexes without crashing, and every reference row it
// produces points at a real type with a valid id.
TEST(SearchIndexTest, AllSupportedSpecExamplesIndex) {
  size_t examples = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kExamples)) {
    const std::string name = entry.path().filename().string();
    const std::string type = name.substr(0, name.find('-'));
    if (!IsSupportedResourceType(type)) continue;
    const Json resource = LoadExample(name);
    const SearchIndexRows rows = Extract(resource);
    ++examples;
    EXPECT_GT(rows.tokens.size() + rows.references.size() + rows.strings.size() + rows.dates.size(),
              0u)
        << name;
    for (const ReferenceIndexRow& row : rows.references) {
      EXPECT_FALSE(row.target_type.empty()) << name;
      EXPECT_FALSE(row.target_id.empty()) << name;
    }
    for (const DateIndexRow& row : rows.dates) EXPECT_LT(row.low, row.high) << name;
  }
  EXPECT_GT(examples, 150u);
}

}  // namespace
}  // namespace duet::fhir
