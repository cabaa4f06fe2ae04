// Data-driven validation over real R4 data: every HL7 specification example and every Synthea
// bundle in tests/fixtures/fhir must validate, except the two published examples that are
// genuinely invalid, which must be rejected at the right places.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhir/validation/validator.h"

namespace duet::fhir {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(DUET_FIXTURES_DIR) / "fhir";

std::vector<fs::path> JsonFilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

Json ReadJsonFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto parsed = ParseJson(buffer.str());
  EXPECT_TRUE(parsed.ok()) << path << ": " << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : Json();
}

std::string Describe(const std::vector<ValidationIssue>& issues, size_t limit = 10) {
  std::string text;
  for (size_t i = 0; i < issues.size() && i < limit; ++i) {
    text += "  " + issues[i].code + " " + issues[i].path + ": " + issues[i].message + "\n";
  }
  if (issues.size() > limit) text += "  ... " + std::to_string(issues.size() - limit) + " more\n";
  return text;
}

size_t CountResources(const Json& resource) {
  size_t count = 1;
  if (const Json* entries = resource.Find("entry"); entries && entries->is_array()) {
    for (const Json& entry : entries->items()) {
      if (const Json* nested = entry.Find("resource")) count += CountResources(*nested);
    }
  }
  return count;
}

// Published R4 examples that break the R4 definitions (each has its own test below).
const std::vector<std::string> kKnownInvalidExamples = {
    "MedicationRequest-medrx0301.json", "Questionnaire-qs1.json",
    "Questionnaire-zika-virus-exposure-assessment.json"};

TEST(ValidatorExamplesTest, EverySpecExampleValidatesExceptTheKnownInvalidOnes) {
  const Validator validator;
  size_t files = 0;
  size_t resources = 0;
  for (const fs::path& path : JsonFilesUnder(kFixtures / "spec-examples")) {
    if (std::count(kKnownInvalidExamples.begin(), kKnownInvalidExamples.end(),
                   path.filename().string()) > 0) {
      continue;
    }
    Json resource = ReadJsonFile(path);
    std::vector<ValidationIssue> issues = validator.Validate(resource);
    EXPECT_TRUE(issues.empty()) << path.filename() << ":\n" << Describe(issues);
    ++files;
    resources += CountResources(resource);
  }
  EXPECT_EQ(files, 228u);
  EXPECT_GT(resources, 900u);
}

TEST(ValidatorExamplesTest, QuestionnaireQs1IsMissingLinkIdsOnNestedItems) {
  Json questionnaire = ReadJsonFile(kFixtures / "spec-examples" / "Questionnaire-qs1.json");
  std::vector<ValidationIssue> issues = Validator().Validate(questionnaire);
  ASSERT_EQ(issues.size(), 32u) << Describe(issues, 40);
  for (const ValidationIssue& issue : issues) {
    EXPECT_EQ(issue.code, "required");
    EXPECT_EQ(issue.path.rfind("Questionnaire.item[0].item[", 0), 0u) << issue.path;
    EXPECT_EQ(issue.path.substr(issue.path.size() - 7), ".linkId") << issue.path;
  }
  EXPECT_EQ(issues[0].path, "Questionnaire.item[0].item[0].linkId");
  EXPECT_EQ(issues[0].message, "missing required element linkId (min cardinality 1)");
}

TEST(ValidatorExamplesTest, ZikaQuestionnaireHasWhitespaceOnlyNarrative) {
  Json questionnaire = ReadJsonFile(kFixtures / "spec-examples" /
                                    "Questionnaire-zika-virus-exposure-assessment.json");
  std::vector<ValidationIssue> issues = Validator().Validate(questionnaire);
  ASSERT_EQ(issues.size(), 1u) << Describe(issues);
  EXPECT_EQ(issues[0].path, "Questionnaire.text.div");
  EXPECT_EQ(issues[0].code, "invariant");
  EXPECT_NE(issues[0].message.find("txt-2"), std::string::npos);
}

// MedicationRequest.dispenseRequest.performer is Reference(Organization) in R4, but this example
// points it at a Practitioner (validators that check target types, such as HAPI, reject it too).
TEST(ValidatorExamplesTest, MedicationRequestMedrx0301HasAPerformerOfTheWrongType) {
  Json request = ReadJsonFile(kFixtures / "spec-examples" / "MedicationRequest-medrx0301.json");
  std::vector<ValidationIssue> issues = Validator().Validate(request);
  ASSERT_EQ(issues.size(), 1u) << Describe(issues);
  EXPECT_EQ(issues[0].path, "MedicationRequest.dispenseRequest.performer.reference");
  EXPECT_EQ(issues[0].message,
            "a reference to Practitioner is not allowed here (allowed: Organization)");
}

TEST(ValidatorExamplesTest, EverySyntheaBundleValidates) {
  const Validator validator;
  size_t bundles = 0;
  size_t resources = 0;
  for (const fs::path& path : JsonFilesUnder(kFixtures / "synthea")) {
    Json bundle = ReadJsonFile(path);
    std::vector<ValidationIssue> issues = validator.Validate(bundle);
    EXPECT_TRUE(issues.empty()) << path.filename() << ":\n" << Describe(issues);
    ++bundles;
    resources += CountResources(bundle);
  }
  EXPECT_EQ(bundles, 24u);
  // 5,713 + 6,119 resources (Bundles and their entries), as listed in fixtures/fhir/README.md.
  EXPECT_EQ(resources, 11832u);
}

}  // namespace
}  // namespace duet::fhir
