#include "gateway/cli/convert_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fhir/json.h"
#include "fhir/validation/validator.h"
#include "mappings/fhir_bundle_writer.h"
#include "mappings/mapping_context.h"
#include "mappings/record_converter.h"
#include "tests/gateway/store/store_test_util.h"

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

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
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
  EXPECT_EQ(Parse(back.out), Parse(ReadFile(Fixture("prf/referral.json"))));
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

// A batch larger than the blocks the input is read in and the output written out in: the
// command prints exactly the Bundle of its records, read from a file or from standard input.
TEST(ConvertCommandTest, ALargeBatchGivesTheBundleOfItsRecords) {
  std::string plan = ReadFile(Fixture("prf/plan_of_care.json"));
  std::string batch = R"({"record":"batch","records":[)";
  for (int i = 0; i < 70; ++i) {
    std::string record = plan;
    for (size_t at = record.find("POC-8812-1"); at != std::string::npos;
         at = record.find("POC-8812-1", at + 1)) {
      record.replace(at, 10, "POC-" + std::to_string(5000 + i));
    }
    batch += (i > 0 ? "," : "") + record;
  }
  batch += "]}";
  ASSERT_GT(batch.size(), 3U * 65536);
  testing::TempDir dir;
  std::string path = dir.File("batch.json");
  std::ofstream(path, std::ios::binary) << batch;

  auto resources = mappings::ToFhir(*fhir::ParseJson(batch), mappings::MappingContext(kBase));
  ASSERT_TRUE(resources.ok()) << resources.status().ToString();
  std::string expected = mappings::WriteTransactionBundle(std::move(*resources), true) + "\n";
  ConvertRun from_file = Convert(ConvertDirection::kToFhir, path);
  ASSERT_EQ(from_file.code, kConvertOk) << from_file.out.substr(0, 400);
  EXPECT_EQ(from_file.out.size(), expected.size());
  EXPECT_TRUE(from_file.out == expected);
  ConvertRun from_stdin = Convert(ConvertDirection::kToFhir, "-", batch);
  EXPECT_TRUE(from_stdin.out == expected);

  ConvertRun back = Convert(ConvertDirection::kToPractice, "-", expected);
  ASSERT_EQ(back.code, kConvertOk) << back.out.substr(0, 400);
  EXPECT_EQ(Parse(back.out).Find("records")->items().size(), 70U);
}

TEST(ConvertCommandTest, ADirectoryIsRefusedAsInput) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.File("records"));
  ConvertRun run = Convert(ConvertDirection::kToFhir, dir.File("records"));
  EXPECT_EQ(run.code, kConvertUsageError);
  EXPECT_NE(run.err.find("is a directory"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace duet::gateway
