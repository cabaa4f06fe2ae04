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
            "error: not a FHIR resource: the document has no \"resourceType\" member\n");
  result = RunValidate("-", "[1,2]");
  EXPECT_EQ(result.code, kValidateInvalid);
}

TEST(ValidateCommandTest, UnreadableFileIsAUsageError) {
  Result result = RunValidate("/nonexistent/duet/file.json");
  EXPECT_EQ(result.code, kValidateUsageError);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "duet validate: cannot open /nonexistent/duet/file.json: No such file or directory\n");
  result = RunValidate(kExamples.string());
  EXPECT_EQ(result.code, kValidateUsageError);
  EXPECT_NE(result.err.find("is a directory"), std::string::npos);
}

}  // namespace
}  // namespace duet::gateway
