#include "mappings/prf_validator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mappings/prf_schemas.h"

namespace duet::mappings {
namespace {

namespace fs = std::filesystem;
using fhir::Json;

const fs::path kExamples = fs::path(DUET_FIXTURES_DIR) / "prf";
const fs::path kSchemaDir = fs::path(DUET_FIXTURES_DIR) / ".." / ".." / "mappings" / "schema";

constexpr const char* kDatePattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
constexpr const char* kInstantPattern =
    R"(^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:)"
    R"(([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$)";

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Json Load(const fs::path& path) {
  StatusOr<Json> parsed = fhir::ParseJson(ReadText(path));
  EXPECT_TRUE(parsed.ok()) << path << ": " << parsed.status().ToString();
  return parsed.ok() ? *parsed : Json();
}

std::vector<std::string> JsonFilesIn(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Pointers(const std::vector<PrfProblem>& problems) {
  std::vector<std::string> pointers;
  pointers.reserve(problems.size());
  for (const PrfProblem& problem : problems) pointers.push_back(problem.pointer);
  return pointers;
}

const PrfValidator& Validator() { return PrfValidator::Shared(); }

TEST(PrfValidatorTest, EmbeddedSchemasCompile) {
  StatusOr<std::unique_ptr<PrfValidator>> validator = PrfValidator::Create();
  ASSERT_TRUE(validator.ok()) << validator.status().ToString();
  EXPECT_EQ(&PrfValidator::Shared(), &PrfValidator::Shared());
}

TEST(PrfValidatorTest, EveryExampleIsValid) {
  std::vector<std::string> files = JsonFilesIn(kExamples);
  ASSERT_GE(files.size(), 18u);
  for (const std::string& file : files) {
    EXPECT_EQ(Validator().ValidateText(ReadText(kExamples / file)), std::vector<PrfProblem>{})
        << file;
  }
}

struct InvalidCase {
  const char* file;
  PrfProblem expected;
};

// One entry per defect listed in tests/fixtures/prf/invalid/README.md.
const std::vector<InvalidCase>& InvalidCases() {
  static const auto* cases = new std::vector<InvalidCase>{
      {"patient-unknown-member.json", {"/middle_name", "unknown member \"middle_name\""}},
      {"patient-null-optional.json",
       {"/email", "null is not allowed: leave an optional member out instead"}},
      {"patient-given-not-array.json", {"/name/given", "\"Maria\" is a string, must be an array"}},
      {"provider-npi-nine-digits.json",
       {"/npi", "\"124531959\" does not match pattern ^[0-9]{10}$"}},
      {"referral-priority-enum.json",
       {"/priority", "\"high\" is not one of routine|urgent|asap|stat"}},
      {"referral-empty-diagnoses.json", {"/diagnoses", "has 0 items, at least 1 required"}},
      {"referral-missing-patient-mrn.json",
       {"/patient_mrn", "required member \"patient_mrn\" is missing"}},
      {"plan_of_care-bad-date.json",
       {"/start_of_care", std::string("\"01/15/2025\" does not match pattern ") + kDatePattern}},
      {"plan_of_care-icd10-no-dot.json",
       {"/diagnoses/0/icd10",
        R"("M25661" does not match pattern ^[A-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$)"}},
      {"plan_of_care-goal-term-enum.json", {"/goals/0/term", "\"stg\" is not one of short|long"}},
      {"plan_of_care-unknown-nested-member.json",
       {"/certification/signed_by", "unknown member \"signed_by\""}},
      {"home_exercise_program-missing-times-per-day.json",
       {"/exercises/0/times_per_day", "required member \"times_per_day\" is missing"}},
      {"home_exercise_program-days-daily.json",
       {"/exercises/0/days",
        "\"daily\" is not one of the allowed forms: an array of mon|tue|wed|thu|fri|sat|sun, or "
        "the string \"every_day\""}},
      {"home_exercise_program-duplicate-day.json",
       {"/exercises/1/days/2", "\"mon\" appears more than once (the items must be unique)"}},
      {"medication_list-rxnorm-prefixed.json",
       {"/medications/0/rxnorm", "\"RX314076\" does not match pattern ^[0-9]+$"}},
      {"nps_response-score-11.json", {"/score", "11 is above the maximum 10"}},
      {"nps_response-score-fraction.json", {"/score", "8.5 is not an integer"}},
      {"education-instant-no-offset.json",
       {"/sent_at",
        std::string("\"2025-01-16T09:05:00\" does not match pattern ") + kInstantPattern}},
      {"batch-unknown-record-type.json",
       {"/records/9/record",
        "unknown record type \"visit_note\"; expected one of patient|provider|referral|"
        "plan_of_care|home_exercise_program|medication_list|nps_response|education"}},
      {"batch-nested-batch.json", {"/records/0/record", "a batch cannot contain another batch"}},
      {"batch-bad-rxnorm-inside-record.json",
       {"/records/6/medications/1/rxnorm", "\"\" does not match pattern ^[0-9]+$"}},
  };
  return *cases;
}

TEST(PrfValidatorTest, EveryInvalidExampleIsRefusedAtItsDefect) {
  std::set<std::string> covered;
  for (const InvalidCase& invalid : InvalidCases()) {
    std::vector<PrfProblem> problems =
        Validator().ValidateText(ReadText(kExamples / "invalid" / invalid.file));
    EXPECT_EQ(problems, std::vector<PrfProblem>{invalid.expected}) << invalid.file;
    covered.insert(invalid.file);
  }
  // A new file in invalid/ needs its expected defect here.
  for (const std::string& file : JsonFilesIn(kExamples / "invalid")) {
    EXPECT_EQ(covered.count(file), 1u) << file << " has no expected defect in this test";
  }
}

TEST(PrfValidatorTest, SeveralDefectsAreAllReported) {
  Json plan = Load(kExamples / "plan_of_care.json");
  plan.Set("middle_name", Json::String("x"));
  plan.Set("nickname", Json::String("y"));
  plan.Remove("frequency");
  plan.Remove("patient_mrn");
  plan.Find("certification")->Set("signed_by", Json::String("1234567893"));
  plan.Find("certification")->Set("to", Json::String("2025-02-30"));
  plan.Find("goals")->items()[1].Set("term", Json::String("medium"));
  plan.Find("goals")->items()[2].Set("status", Json::String("done"));
  plan.Find("diagnoses")->items()[2].Set("icd10", Json::String("Z96651"));
  plan.Set("therapist_npi", Json::String("1245319590"));
  plan.Find("interventions")->items()[0].Remove("status");

  std::vector<std::string> pointers = Pointers(Validator().Validate(plan));
  std::sort(pointers.begin(), pointers.end());
  EXPECT_EQ(pointers, (std::vector<std::string>{
                          "/certification/signed_by",
                          "/certification/to",
                          "/diagnoses/2/icd10",
                          "/frequency",
                          "/goals/1/term",
                          "/goals/2/status",
                          "/interventions/0/status",
                          "/middle_name",
                          "/nickname",
                          "/patient_mrn",
                          "/therapist_npi",
                      }));
}

TEST(PrfValidatorTest, BatchedRecordsAreCheckedInFullWithPrefixedPointers) {
  Json batch = Load(kExamples / "batch.json");
  Json& records = *batch.Find("records");
  ASSERT_EQ(records.items()[2].StringOr("record"), "referral");
  records.items()[2].Set("referring_npi", Json::String("1234567890"));
  records.items()[0].Find("goals")->items()[0].Set("supports", Json::String("LTG9"));
  records.items()[7].Set("score", Json::Integer(-1));
  records.Append(Json::String("patient"));
  records.Append(Json::MakeObject());
  batch.Set("sent_by", Json::String("emr"));

  std::vector<PrfProblem> problems = Validator().Validate(batch);
  EXPECT_EQ(problems,
            (std::vector<PrfProblem>{
                {"/sent_by", "unknown member \"sent_by\""},
                {"/records/0/goals/0/supports", "names no goal of this plan: \"LTG9\""},
                {"/records/2/referring_npi",
                 "NPI \"1234567890\" fails the check digit (with these first nine digits it ends "
                 "in 3)"},
                {"/records/7/score", "-1 is below the minimum 0"},
                {"/records/9", "a PRF record must be a JSON object, not a string"},
                {"/records/10/record",
                 "required member \"record\" is missing (it names the record type)"},
            }));
}

TEST(PrfValidatorTest, BatchEnvelope) {
  EXPECT_EQ(Validator().ValidateText(R"({"record":"batch"})"),
            (std::vector<PrfProblem>{{"/records", "required member \"records\" is missing"}}));
  EXPECT_EQ(Validator().ValidateText(R"({"record":"batch","records":{}})"),
            (std::vector<PrfProblem>{{"/records", "is an object, must be an array"}}));
  EXPECT_EQ(Validator().ValidateText(R"({"record":"batch","records":[]})"),
            std::vector<PrfProblem>{});
}

TEST(PrfValidatorTest, RecordTypeProblemsAtSlashRecord) {
  EXPECT_EQ(Validator().ValidateText("[1]"),
            (std::vector<PrfProblem>{{"", "a PRF record must be a JSON object, not an array"}}));
  EXPECT_EQ(Validator().ValidateText(R"({"mrn":"PT-1"})"),
            (std::vector<PrfProblem>{
                {"/record", "required member \"record\" is missing (it names the record type)"}}));
  EXPECT_EQ(Validator().ValidateText(R"({"record":7})"),
            (std::vector<PrfProblem>{
                {"/record", "must be a string naming the record type, not a number"}}));
  EXPECT_EQ(Validator().ValidateText(R"({"record":"visit_note"})"),
            (std::vector<PrfProblem>{
                {"/record",
                 "unknown record type \"visit_note\"; expected one of patient|provider|referral|"
                 "plan_of_care|home_exercise_program|medication_list|nps_response|education|"
                 "batch"}}));
}

TEST(PrfValidatorTest, UnparsableTextAndDuplicateMembersAreOneProblem) {
  std::vector<PrfProblem> problems = Validator().ValidateText(R"({"record":"patient",})");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].pointer, "");
  EXPECT_NE(problems[0].message.find("byte"), std::string::npos) << problems[0].message;

  problems = Validator().ValidateText(R"({"record":"nps_response","score":9,"score":2})");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].message.find("score"), std::string::npos) << problems[0].message;
}

TEST(PrfValidatorTest, IntegersMustBeWrittenAsIntegers) {
  Json response = Load(kExamples / "nps_response.json");
  response.Set("score", Json::Number("9.0"));
  EXPECT_EQ(Validator().Validate(response),
            (std::vector<PrfProblem>{{"/score", "9.0 is not an integer"}}));
  response.Set("score", Json::Number("9"));
  EXPECT_EQ(Validator().Validate(response), std::vector<PrfProblem>{});
}

TEST(PrfValidatorTest, MemberNamesAreEscapedInPointers) {
  Json patient = Load(kExamples / "patient.json");
  patient.Set("a/b~c", Json::Bool(true));
  EXPECT_EQ(Validator().Validate(patient),
            (std::vector<PrfProblem>{{"/a~1b~0c", "unknown member \"a/b~c\""}}));
}

TEST(PrfValidatorTest, IsPrfRecord) {
  EXPECT_TRUE(IsPrfRecord(Load(kExamples / "patient.json")));
  EXPECT_TRUE(IsPrfRecord(*fhir::ParseJson(R"({"record":"visit_note"})")));
  EXPECT_FALSE(IsPrfRecord(*fhir::ParseJson(R"({"record":1})")));
  EXPECT_FALSE(IsPrfRecord(*fhir::ParseJson(R"({"resourceType":"Patient"})")));
  EXPECT_FALSE(IsPrfRecord(*fhir::ParseJson(R"(["record"])")));
}

TEST(PrfValidatorTest, SharedInstanceIsSafeAcrossThreads) {
  std::string valid = ReadText(kExamples / "batch.json");
  std::string invalid = ReadText(kExamples / "invalid" / "plan_of_care-icd10-no-dot.json");
  std::vector<PrfProblem> expected_invalid = Validator().ValidateText(invalid);
  ASSERT_EQ(expected_invalid.size(), 1u);
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int& thread_failures : failures) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (!Validator().ValidateText(valid).empty()) ++thread_failures;
        if (Validator().ValidateText(invalid) != expected_invalid) ++thread_failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

// batch.schema.json and record.schema.json carry copies of every record schema (schema/README.md);
// the validator checks batched records against the standalone files, so the copies must agree.
TEST(PrfSchemaFilesTest, CopiesInBatchAndRecordSchemasMatchTheStandaloneSchemas) {
  for (const char* combined_file : {"batch.schema.json", "record.schema.json"}) {
    Json combined = Load(kSchemaDir / combined_file);
    const Json* definitions = combined.Find("definitions");
    ASSERT_NE(definitions, nullptr) << combined_file;
    for (std::string_view type : PrfRecordTypes()) {
      if (type == "batch") continue;
      Json standalone = Load(kSchemaDir / (std::string(type) + ".schema.json"));
      Json shared_definitions = *standalone.Find("definitions");
      for (const char* meta : {"$schema", "title", "description", "definitions"}) {
        standalone.Remove(meta);
      }
      Json copy = *definitions->Find(type);
      for (const char* meta : {"$schema", "title", "description"}) copy.Remove(meta);
      EXPECT_EQ(copy, standalone) << combined_file << " #/definitions/" << type;
      for (const auto& [name, definition] : shared_definitions.members()) {
        const Json* in_combined = definitions->Find(name);
        ASSERT_NE(in_combined, nullptr) << combined_file << " lacks #/definitions/" << name;
        EXPECT_EQ(*in_combined, definition) << combined_file << " #/definitions/" << name;
      }
    }
  }
}

TEST(PrfSchemaFilesTest, EmbeddedSchemasAreTheFilesInTheTree) {
  for (std::string_view type : PrfRecordTypes()) {
    EXPECT_EQ(PrfSchemaText(type), ReadText(kSchemaDir / (std::string(type) + ".schema.json")))
        << type;
  }
  EXPECT_EQ(PrfSchemaText("record"), "");
  EXPECT_EQ(PrfSchemaText("visit_note"), "");
}

}  // namespace
}  // namespace duet::mappings
