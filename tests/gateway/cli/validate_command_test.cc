#include "gateway/cli/validate_command.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace duet::gateway {
namespace {

namespace fs = std::filesystem;

const fs::path kExamples = fs::path(DUET_FIXTURES_DIR) / "fhir" / "spec-examples";
const fs::path kPrfExamples = fs::path(DUET_FIXTURES_DIR) / "prf";

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result RunValidate(const std::string& path, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  int code = RunValidateCommand(path, in, out, err);
  return {code, out.str(), err.str()};
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(ValidateCommandTest, ValidResourceFromAFile) {
  Result result = RunValidate((kExamples / "CarePlan-example.json").string());
  EXPECT_EQ(result.code, kValidateOk);
  EXPECT_EQ(result.out, "OK CarePlan\n");
  EXPECT_EQ(result.err, "");
}

TEST(ValidateCommandTest, ValidBundleFromStdin) {
  Result result = RunValidate("-", ReadFile(kExamples / "Bundle-bundle-transaction.json"));
  EXPECT_EQ(result.code, kValidateOk);
  EXPECT_EQ(result.out, "OK Bundle\n");
}

TEST(ValidateCommandTest, InvalidResourcePrintsOneProblemPerLine) {
  Result result =
      RunValidate((kExamples / "Questionnaire-zika-virus-exposure-assessment.json").string());
  EXPECT_EQ(result.code, kValidateInvalid);
  EXPECT_EQ(result.out,
            "error Questionnaire.text.div: txt-2: the narrative has no non-whitespace content "
            "(text or an image)\n");

  result =
      RunValidate("-", R"({"resourceType":"Patient","gender":"mal","birthDate":"2023-02-30"})");
  EXPECT_EQ(result.code, kValidateInvalid);
  EXPECT_EQ(result.out,
            "error Patient.gender: value \"mal\" is not in the required value set "
            "http://hl7.org/fhir/ValueSet/administrative-gender\n"
            "error Patient.birthDate: \"2023-02-30\" is not a valid date: February 2023 has 28 "
            "days\n");
}

TEST(ValidateCommandTest, MalformedJsonNamesTheOffset) {
  Result result = RunValidate("-", R"({"resourceType":"Patient",})");
  EXPECT_EQ(result.code, kValidateInvalid);
  EXPECT_EQ(result.out, "error: invalid JSON at byte 26: Missing a name for object member.\n");
}

TEST(ValidateCommandTest, JsonThatIsNotFhir) {
  Result result = RunValidate("-", R"({"record_type":"plan_of_care"})");
  EXPECT_EQ(result.code, kValidateInvalid);
  EXPECT_EQ(result.out,
            "error: neither a FHIR resource nor a PRF record: the document has no "
            "\"resourceType\" or \"record\" member\n");
  result = RunValidate("-", "[1,2]");
  EXPECT_EQ(result.code, kValidateInvalid);
}

TEST(ValidateCommandTest, ValidPrfRecordsAndBatches) {
  Result result = RunValidate((kPrfExamples / "plan_of_care.json").string());
  EXPECT_EQ(result.code, kValidateOk);
  EXPECT_EQ(result.out, "OK plan_of_care\n");
  EXPECT_EQ(result.err, "");

  result = RunValidate("-", ReadFile(kPrfExamples / "medication_list.json"));
  EXPECT_EQ(result.code, kValidateOk);
  EXPECT_EQ(result.out, "OK medication_list\n");

  result = RunValidate((kPrfExamples / "batch.json").string());
  EXPECT_EQ(result.code, kValidateOk);
  EXPECT_EQ(result.out, "OK batch of 9 records\n");

  result = RunValidate("-", R"({"record":"batch","records":[]})");
  EXPECT_EQ(result.code, kValidateOk);
  EXPECT_EQ(result.out, "OK batch of 0 records\n");
}

TEST(ValidateCommandTest, InvalidPrfFilePrintsTheDefectsPointer) {
  Result result =
      RunValidate((kPrfExamples / "invalid" / "referral-missing-patient-mrn.json").string());
  EXPECT_EQ(result.code, kValidateInvalid);
  EXPECT_EQ(result.out, "error /patient_mrn: required member \"patient_mrn\" is missing\n");

  result = RunValidate((kPrfExamples / "invalid" / "batch-nested-batch.json").string());
  EXPECT_EQ(result.code, kValidateInvalid);
  EXPECT_EQ(result.out, "error /records/0/record: a batch cannot contain another batch\n");
}

TEST(ValidateCommandTest, EveryPrfProblemOnItsOwnLine) {
  Result result = RunValidate("-", R"({"record":"nps_response","id":"NPS-1","patient_mrn":"PT-1",
      "score":11,"answered_at":"2025-02-30T10:00:00Z","therapist_npi":"1234567890",
      "touchpoint":"visit"})");
  EXPECT_EQ(result.code, kValidateInvalid);
  EXPECT_EQ(result.out,
            "error /score: 11 is above the maximum 10\n"
            "error /therapist_npi: NPI \"1234567890\" fails the check digit (with these first "
            "nine digits it ends in 3)\n"
            "error /answered_at: \"2025-02-30\" is not a valid date: February 2025 has 28 days\n");

  result = RunValidate("-", R"({"record":5})");
  EXPECT_EQ(result.code, kValidateInvalid);
  EXPECT_EQ(result.out, "error /record: must be a string naming the record type, not a number\n");

  result = RunValidate("-", R"({"record":"nps_response","score":9,"score":9})");
  EXPECT_EQ(result.code, kValidateInvalid);
  EXPECT_NE(result.out.find("duplicate member \"score\""), std::string::npos) << result.out;
}

TEST(ValidateCommandTest, UnreadableFileIsAUsageError) {
  Result result = RunValidate("/nonexistent/duet/file.json");
  EXPECT_EQ(result.code, kValidateUsageError);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "duet validate: cannot read /nonexistent/duet/file.json: No such file or directory\n");
  result = RunValidate(kExamples.string());
  EXPECT_EQ(result.code, kValidateUsageError);
  EXPECT_NE(result.err.find("is a directory"), std::string::npos);
}

}  // namespace
}  // namespace duet::gateway
