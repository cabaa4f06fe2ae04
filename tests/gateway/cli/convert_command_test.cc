#include "gateway/cli/convert_command.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fhir/json.h"
#include "fhir/validation/validator.h"

namespace duet::gateway {
namespace {

constexpr char kBase[] = "https://saguaro-rehab.example/sid";

std::string Fixture(const std::string& name) { return std::string(DUET_FIXTURES_DIR) + "/" + name; }

struct ConvertRun {
  int code;
  std::string out;
  std::string err;
};

ConvertRun Convert(ConvertDirection direction, const std::string& path,
                   const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  int code = RunConvertCommand(direction, path, kBase, in, out, err);
  return {code, out.str(), err.str()};
}

fhir::Json Parse(const std::string& text) {
  auto parsed = fhir::ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << text.substr(0, 400);
  return parsed.ok() ? *parsed : fhir::Json();
}

TEST(ConvertCommandTest, ToFhirPrintsAValidTransactionOfConditionalUpserts) {
  ConvertRun run = Convert(ConvertDirection::kToFhir, Fixture("prf/plan_of_care.json"));
  ASSERT_EQ(run.code, kConvertOk) << run.out << run.err;
  fhir::Json bundle = Parse(run.out);
  EXPECT_EQ(bundle.StringOr("type"), "transaction");
  ASSERT_NE(bundle.Find("entry"), nullptr);
  for (const fhir::Json& entry : bundle.Find("entry")->items()) {
    std::string method(entry.Find("request")->StringOr("method"));
    std::string url(entry.Find("request")->StringOr("url"));
    EXPECT_TRUE(method == "PUT" || method == "POST") << url;
    if (method == "PUT") {
      EXPECT_NE(url.find("?identifier="), std::string::npos) << url;
    }
  }
  fhir::Validator validator;
  auto issues = validator.Validate(bundle);
  for (const auto& issue : issues) ADD_FAILURE() << issue.path << ": " << issue.message;
}

TEST(ConvertCommandTest, ToFhirIsDeterministic) {
  ConvertRun first = Convert(ConvertDirection::kToFhir, Fixture("prf/batch.json"));
  ConvertRun second = Convert(ConvertDirection::kToFhir, Fixture("prf/batch.json"));
  ASSERT_EQ(first.code, kConvertOk) << first.out;
  EXPECT_EQ(first.out, second.out);
}

TEST(ConvertCommandTest, ToPracticeGivesTheRecordBack) {
  ConvertRun to_fhir = Convert(ConvertDirection::kToFhir, Fixture("prf/referral.json"));
  ASSERT_EQ(to_fhir.code, kConvertOk) << to_fhir.out;
  ConvertRun back = Convert(ConvertDirection::kToPractice, "-", to_fhir.out);
  ASSERT_EQ(back.code, kConvertOk) << back.out << back.err;
  std::ifstream original(Fixture("prf/referral.json"));
  std::stringstream text;
  text << original.rdbuf();
  EXPECT_EQ(Parse(back.out), Parse(text.str()));
}

TEST(ConvertCommandTest, InvalidRecordsAreRefusedWithTheirPointer) {
  ConvertRun run =
      Convert(ConvertDirection::kToFhir, Fixture("prf/invalid/nps_response-score-11.json"));
  EXPECT_EQ(run.code, kConvertInvalid);
  EXPECT_NE(run.out.find("error /score"), std::string::npos) << run.out;
  ConvertRun not_prf = Convert(ConvertDirection::kToFhir, "-", R"({"resourceType":"Patient"})");
  EXPECT_EQ(not_prf.code, kConvertInvalid);
  ConvertRun not_json = Convert(ConvertDirection::kToPractice, "-", "{");
  EXPECT_EQ(not_json.code, kConvertInvalid);
  ConvertRun missing = Convert(ConvertDirection::kToFhir, "/nonexistent/record.json");
  EXPECT_EQ(missing.code, kConvertUsageError);
  EXPECT_NE(missing.err.find("/nonexistent/record.json"), std::string::npos);
}

}  // namespace
}  // namespace duet::gateway
