#include "mappings/prf_schema_checker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace duet::mappings {
namespace {

using fhir::Json;

std::unique_ptr<PrfSchemaChecker> CompileOrDie(std::string_view schema,
                                               std::vector<std::string> opaque = {}) {
  StatusOr<std::unique_ptr<PrfSchemaChecker>> checker =
      PrfSchemaChecker::Compile(schema, std::move(opaque));
  EXPECT_TRUE(checker.ok()) << checker.status().ToString();
  return checker.ok() ? std::move(checker).value() : nullptr;
}

std::vector<PrfProblem> Check(const PrfSchemaChecker& checker, std::string_view instance,
                              std::string_view prefix = "") {
  StatusOr<Json> parsed = fhir::ParseJson(instance);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  std::vector<PrfProblem> problems;
  checker.Validate(*parsed, prefix, &problems);
  return problems;
}

constexpr std::string_view kPersonSchema = R"({
  "type": "object",
  "additionalProperties": false,
  "required": ["name", "age", "tags"],
  "properties": {
    "name": {"$ref": "#/definitions/text"},
    "age": {"type": "integer", "minimum": 0, "maximum": 150},
    "weight": {"type": "number", "minimum": 0, "exclusiveMinimum": true},
    "tags": {"type": "array", "items": {"$ref": "#/definitions/text"}, "uniqueItems": true},
    "address": {
      "type": "object",
      "additionalProperties": false,
      "required": ["city"],
      "properties": {"city": {"$ref": "#/definitions/text"}, "zip": {"type": "string", "pattern": "^[0-9]{5}$"}}
    },
    "contact": {
      "oneOf": [
        {"type": "string", "enum": ["none"]},
        {"type": "object", "additionalProperties": false, "required": ["phone"],
         "properties": {"phone": {"$ref": "#/definitions/text"}}}
      ]
    },
    "either": {"anyOf": [{"type": "string"}, {"type": "integer"}]}
  },
  "definitions": {
    "text": {"type": "string", "minLength": 1}
  }
})";

TEST(PrfSchemaCheckerTest, ValidInstanceHasNoProblems) {
  auto checker = CompileOrDie(kPersonSchema);
  ASSERT_NE(checker, nullptr);
  EXPECT_EQ(Check(*checker, R"({"name":"Ann","age":40,"tags":["a","b"],"weight":61.5,
                               "address":{"city":"Mesa","zip":"85201"},"contact":{"phone":"1"},
                               "either":3})"),
            std::vector<PrfProblem>{});
  EXPECT_EQ(Check(*checker, R"({"name":"Ann","age":0,"tags":[],"contact":"none"})"),
            std::vector<PrfProblem>{});
}

TEST(PrfSchemaCheckerTest, EveryProblemIsReportedWithItsPointer) {
  auto checker = CompileOrDie(kPersonSchema);
  ASSERT_NE(checker, nullptr);
  EXPECT_EQ(Check(*checker, R"({"nick":"A","age":151,"weight":0,"tags":["a","","a"],
                               "address":{"zip":"8520","country":"US"},"either":true,
                               "extra":null})"),
            (std::vector<PrfProblem>{
                {"/nick", "unknown member \"nick\""},
                {"/extra", "unknown member \"extra\""},
                {"/name", "required member \"name\" is missing"},
                {"/age", "151 is above the maximum 150"},
                {"/weight", "0 must be greater than 0"},
                {"/tags/2", "\"a\" appears more than once (the items must be unique)"},
                {"/tags/1", "must not be empty"},
                {"/address/country", "unknown member \"country\""},
                {"/address/city", "required member \"city\" is missing"},
                {"/address/zip", "\"8520\" does not match pattern ^[0-9]{5}$"},
                {"/either", "true does not match the allowed forms (anyOf)"},
            }));
}

TEST(PrfSchemaCheckerTest, PointersArePrefixed) {
  auto checker = CompileOrDie(kPersonSchema);
  ASSERT_NE(checker, nullptr);
  EXPECT_EQ(Check(*checker, R"({"name":"A","age":-1,"tags":[]})", "/records/3"),
            (std::vector<PrfProblem>{{"/records/3/age", "-1 is below the minimum 0"}}));
}

TEST(PrfSchemaCheckerTest, OneOfExplainsThroughTheAlternativeThatFitsTheValue) {
  auto checker = CompileOrDie(kPersonSchema);
  ASSERT_NE(checker, nullptr);
  EXPECT_EQ(Check(*checker, R"({"name":"A","age":1,"tags":[],"contact":{"fax":"2"}})"),
            (std::vector<PrfProblem>{
                {"/contact/fax", "unknown member \"fax\""},
                {"/contact/phone", "required member \"phone\" is missing"},
            }));
  EXPECT_EQ(Check(*checker, R"({"name":"A","age":1,"tags":[],"contact":"some"})"),
            (std::vector<PrfProblem>{
                {"/contact",
                 "\"some\" is not one of the allowed forms: the string \"none\", or an object"},
            }));
  EXPECT_EQ(
      Check(*checker, R"({"name":"A","age":1,"tags":[],"contact":5})"),
      (std::vector<PrfProblem>{
          {"/contact", "5 is not one of the allowed forms: the string \"none\", or an object"},
      }));
}

TEST(PrfSchemaCheckerTest, WrongKindsStopTheWalkAtThatValue) {
  auto checker = CompileOrDie(kPersonSchema);
  ASSERT_NE(checker, nullptr);
  EXPECT_EQ(Check(*checker, R"({"name":7,"age":"x","tags":"a","address":[]})"),
            (std::vector<PrfProblem>{
                {"/name", "7 is an integer, must be a string"},
                {"/age", "\"x\" is a string, must be an integer"},
                {"/tags", "\"a\" is a string, must be an array"},
                {"/address", "is an array, must be an object"},
            }));
  EXPECT_EQ(Check(*checker, "[]"),
            (std::vector<PrfProblem>{{"", "is an array, must be an object"}}));
}

TEST(PrfSchemaCheckerTest, LongStringsAreShortenedInMessages) {
  auto checker = CompileOrDie(R"({"type":"string","pattern":"^[a-z]+$"})");
  ASSERT_NE(checker, nullptr);
  std::string long_text(100, 'A');
  std::vector<PrfProblem> problems = Check(*checker, "\"" + long_text + "\"");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "\"" + std::string(60, 'A') + "...\" does not match pattern ^[a-z]+$");
}

TEST(PrfSchemaCheckerTest, OpaqueLocationsAreNotChecked) {
  constexpr std::string_view kSchema = R"({
    "type": "object",
    "properties": {"records": {"type": "array", "items": {"type": "integer"}}}
  })";
  auto checker = CompileOrDie(kSchema, {"/properties/records/items"});
  ASSERT_NE(checker, nullptr);
  EXPECT_EQ(Check(*checker, R"({"records":["a",{}]})"), std::vector<PrfProblem>{});
  EXPECT_EQ(Check(*checker, R"({"records":{}})"),
            (std::vector<PrfProblem>{{"/records", "is an object, must be an array"}}));
  auto strict = CompileOrDie(kSchema);
  ASSERT_NE(strict, nullptr);
  EXPECT_EQ(Check(*strict, R"({"records":[1,"a"]})"),
            (std::vector<PrfProblem>{{"/records/1", "\"a\" is a string, must be an integer"}}));
}

TEST(PrfSchemaCheckerTest, PatternsRapidJsonCannotCompileAreRefused) {
  StatusOr<std::unique_ptr<PrfSchemaChecker>> checker = PrfSchemaChecker::Compile(
      R"({"type":"object","properties":{"code":{"type":"string","pattern":"^\\d+$"}}})");
  ASSERT_FALSE(checker.ok());
  EXPECT_EQ(checker.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(checker.status().message().find("/properties/code/pattern"), std::string::npos)
      << checker.status().message();
}

TEST(PrfSchemaCheckerTest, BrokenSchemasAreRefused) {
  EXPECT_FALSE(PrfSchemaChecker::Compile("{").ok());
  EXPECT_FALSE(PrfSchemaChecker::Compile("[]").ok());
  StatusOr<std::unique_ptr<PrfSchemaChecker>> dangling = PrfSchemaChecker::Compile(
      R"({"type":"object","properties":{"a":{"$ref":"#/definitions/x"}}})");
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.status().message().find("#/definitions/x"), std::string::npos);
  StatusOr<std::unique_ptr<PrfSchemaChecker>> cycle =
      PrfSchemaChecker::Compile(R"({"definitions":{"a":{"$ref":"#/definitions/a"}},
                                    "$ref":"#/definitions/a"})");
  EXPECT_FALSE(cycle.ok());
}

}  // namespace
}  // namespace duet::mappings
