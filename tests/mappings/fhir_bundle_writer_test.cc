#include "mappings/fhir_bundle_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "mappings/record_converter.h"
#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;
using testing::Fixture;

TEST(FhirBundleWriterTest, EntriesAreConditionalUpsertsByBusinessIdentifier) {
  Json bundle = ToTransactionBundle(testing::ToFhirOrDie(Fixture("patient.json")));
  EXPECT_EQ(bundle.StringOr("type"), "transaction");
  const Json& first = bundle.Find("entry")->items()[0];
  EXPECT_EQ(first.StringOr("fullUrl"), "urn:uuid:d9c60924-ecec-5957-90b7-a7bdfb8c0054");
  EXPECT_EQ(first.Find("request")->StringOr("method"), "PUT");
  EXPECT_EQ(first.Find("request")->StringOr("url"),
            "Patient?identifier=https://sunrise-pt.example/sid/mrn|PT-004512");
  EXPECT_EQ(testing::ValidationErrors({bundle}), "");
}

TEST(FhirBundleWriterTest, ReferencesBetweenEntriesBecomeUrnUuids) {
  Json bundle = ToTransactionBundle(testing::ToFhirOrDie(Fixture("batch.json")));
  std::set<std::string> full_urls;
  for (const Json& entry : bundle.Find("entry")->items()) {
    full_urls.insert(std::string(entry.StringOr("fullUrl")));
  }
  const Json* care_plan = nullptr;
  for (const Json& entry : bundle.Find("entry")->items()) {
    if (entry.Find("resource")->StringOr("resourceType") == "CarePlan" && care_plan == nullptr) {
      care_plan = entry.Find("resource");
    }
  }
  ASSERT_NE(care_plan, nullptr);
  std::string subject(care_plan->Find("subject")->StringOr("reference"));
  EXPECT_EQ(subject.rfind("urn:uuid:", 0), 0U) << subject;
  EXPECT_EQ(full_urls.count(subject), 1U);
  std::string author(care_plan->Find("author")->StringOr("reference"));
  EXPECT_EQ(full_urls.count(author), 1U) << author;
  // Dr. Chen's Practitioner is in the batch; Luis Ortega's (the OT plan) is not, so it would
  // stay conditional. The supporting ServiceRequest is in the batch.
  EXPECT_EQ(full_urls.count(
                std::string(care_plan->Find("supportingInfo")->items()[0].StringOr("reference"))),
            1U);
}

TEST(FhirBundleWriterTest, ReferencesToResourcesOutsideTheBundleStayConditional) {
  Json bundle = ToTransactionBundle(testing::ToFhirOrDie(Fixture("education.json")));
  const Json& communication = *bundle.Find("entry")->items()[0].Find("resource");
  EXPECT_EQ(communication.Find("sender")->StringOr("reference"),
            "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1245319599");
}

TEST(FhirBundleWriterTest, TheSameResourceNamedTwiceIsWrittenOnce) {
  Json batch = testing::ParseOrDie(R"({"record":"batch","records":[]})");
  batch.Find("records")->Append(Fixture("provider.json"));
  batch.Find("records")->Append(Fixture("provider-ot.json"));
  std::vector<Json> resources = testing::ToFhirOrDie(batch);
  EXPECT_EQ(testing::CountType(resources, "Organization"), 2U);
  Json bundle = ToTransactionBundle(resources);
  size_t organizations = 0;
  for (const Json& entry : bundle.Find("entry")->items()) {
    organizations += entry.Find("resource")->StringOr("resourceType") == "Organization" ? 1 : 0;
  }
  EXPECT_EQ(organizations, 1U);
}

// Every identifier of a resource names its entry; an identifier already named by an earlier entry
// keeps naming that one, and a resource whose business identifier that is still gets its own entry.
TEST(FhirBundleWriterTest, EveryIdentifierNamesTheFirstEntryThatCarriesIt) {
  std::vector<Json> resources;
  resources.push_back(testing::ParseOrDie(R"({"resourceType":"Patient","identifier":[
      {"system":"https://a.example/mrn","value":"1"},{"system":"https://b.example/id","value":"X"}]})"));
  resources.push_back(testing::ParseOrDie(R"({"resourceType":"Patient","identifier":[
      {"system":"https://b.example/id","value":"X"}]})"));
  resources.push_back(testing::ParseOrDie(R"({"resourceType":"Observation","identifier":[
      {"system":"https://a.example/obs","value":"o1"}],
      "subject":{"reference":"Patient?identifier=https://b.example/id|X"}})"));
  Json bundle = ToTransactionBundle(resources);
  const Json::Array& entries = bundle.Find("entry")->items();
  ASSERT_EQ(entries.size(), 3U);
  std::string first = std::string(entries[0].StringOr("fullUrl"));
  EXPECT_EQ(first, ResourceFullUrl(resources[0]));
  EXPECT_EQ(entries[1].StringOr("fullUrl"), ResourceFullUrl(resources[1]));
  EXPECT_EQ(entries[1].Find("request")->StringOr("url"),
            "Patient?identifier=https://b.example/id|X");
  EXPECT_EQ(entries[2].Find("resource")->Find("subject")->StringOr("reference"), first);
}

TEST(FhirBundleWriterTest, IdentifierValuesAreEscapedInUrls) {
  Json record = Fixture("education.json");
  record.Set("id", Json::String("EDU 7|a,b&c"));
  Json bundle = ToTransactionBundle(testing::ToFhirOrDie(record));
  std::string url(bundle.Find("entry")->items()[0].Find("request")->StringOr("url"));
  EXPECT_EQ(
      url, "Communication?identifier=https://sunrise-pt.example/sid/education|EDU%207\\|a\\,b%26c");
  auto parts = ParseConditionalReference(url);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->value, "EDU 7|a,b&c");
  EXPECT_EQ(testing::ValidationErrors({bundle}), "");
}

// The text path (references rewritten as the Bundle is written) and the tree path (rewritten in
// the tree, then written) give the same bytes, compact and indented, for every record type.
TEST(FhirBundleWriterTest, WritingTheBundleGivesTheTextOfItsTree) {
  size_t records = 0;
  for (const auto& file : std::filesystem::directory_iterator(testing::PrfFixtures())) {
    if (file.path().extension() != ".json") continue;
    ++records;
    std::vector<Json> resources = testing::ToFhirOrDie(testing::ReadJsonFile(file.path()));
    for (bool pretty : {false, true}) {
      std::string tree_text = fhir::WriteJson(ToTransactionBundle(resources), pretty);
      EXPECT_EQ(WriteTransactionBundle(resources, pretty), tree_text)
          << file.path() << (pretty ? " indented" : " compact");
      std::ostringstream streamed;
      WriteTransactionBundle(resources, pretty, streamed);
      EXPECT_EQ(streamed.str(), tree_text) << file.path() << (pretty ? " indented" : " compact");
    }
  }
  EXPECT_GE(records, 17U);
}

// Plans whose ids need every search escape and percent-encoding (a bar, a backslash, also at the
// end, commas, dollars, ampersands, percent signs): their CarePlans still name their Conditions by
// the entries' urn:uuids, on both paths.
TEST(FhirBundleWriterTest, EscapedIdentifiersStillNameTheirEntries) {
  for (const char* id : {"POC 1|a\\b,c$d&e%f", "POC\\", "|POC|", "P%7C\\|\\"}) {
    SCOPED_TRACE(id);
    Json record = Fixture("plan_of_care.json");
    record.Set("id", Json::String(id));
    std::vector<Json> resources = testing::ToFhirOrDie(record);
    Json bundle = ToTransactionBundle(resources);
    std::set<std::string> condition_urls;
    const Json* care_plan = nullptr;
    for (const Json& entry : bundle.Find("entry")->items()) {
      std::string_view type = entry.Find("resource")->StringOr("resourceType");
      if (type == "Condition") condition_urls.insert(std::string(entry.StringOr("fullUrl")));
      if (type == "CarePlan") care_plan = entry.Find("resource");
    }
    ASSERT_NE(care_plan, nullptr);
    ASSERT_FALSE(condition_urls.empty());
    std::set<std::string> addressed;
    for (const Json& reference : care_plan->Find("addresses")->items()) {
      addressed.insert(std::string(reference.StringOr("reference")));
    }
    EXPECT_EQ(addressed, condition_urls);
    EXPECT_EQ(WriteTransactionBundle(resources, false), fhir::WriteJson(bundle));
  }
}

}  // namespace
}  // namespace duet::mappings
