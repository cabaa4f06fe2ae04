#include "fhir/search/search_query.h"

#include <gtest/gtest.h>

namespace duet::fhir {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

SearchQuery MustParse(const std::string& type, const Params& params,
                      const SearchParseOptions& options = {}) {
  StatusOr<SearchQuery> query = ParseSearchQuery(type, params, options);
  EXPECT_TRUE(query.ok()) << query.status().ToString();
  return query.ok() ? *query : SearchQuery{};
}

// Expects kInvalidArgument whose message holds every one of `fragments`.
void ExpectError(const std::string& type, const Params& params,
                 const std::vector<std::string>& fragments) {
  StatusOr<SearchQuery> query = ParseSearchQuery(type, params);
  ASSERT_FALSE(query.ok()) << params[0].first << "=" << params[0].second;
  EXPECT_EQ(query.status().code(), StatusCode::kInvalidArgument);
  for (const std::string& fragment : fragments) {
    EXPECT_NE(query.status().message().find(fragment), std::string::npos)
        << "\"" << fragment << "\" not in: " << query.status().message();
  }
}

TEST(SearchQueryTest, TokenForms) {
  SearchQuery query = MustParse("CarePlan", {{"status", "active,on-hold"},
                                             {"category", "http://loinc.org|LA1"},
                                             {"identifier", "|abc"},
                                             {"intent", "http://hl7.org/fhir/request-intent|"}});
  ASSERT_EQ(query.all_of.size(), 4u);
  EXPECT_EQ(query.all_of[0].param->code, "status");
  ASSERT_EQ(query.all_of[0].any_of.size(), 2u);
  EXPECT_FALSE(query.all_of[0].any_of[0].has_system);
  EXPECT_EQ(query.all_of[0].any_of[1].code, "on-hold");
  EXPECT_TRUE(query.all_of[1].any_of[0].has_system);
  EXPECT_EQ(query.all_of[1].any_of[0].system, "http://loinc.org");
  EXPECT_EQ(query.all_of[1].any_of[0].code, "LA1");
  EXPECT_TRUE(query.all_of[2].any_of[0].has_system);
  EXPECT_EQ(query.all_of[2].any_of[0].system, "");
  EXPECT_EQ(query.all_of[2].any_of[0].code, "abc");
  EXPECT_EQ(query.all_of[3].any_of[0].code, "");
  EXPECT_EQ(query.all_of[3].any_of[0].system, "http://hl7.org/fhir/request-intent");
}

TEST(SearchQueryTest, EscapedCommasAndBarsAreLiteral) {
  SearchQuery query = MustParse("Patient", {{"identifier", "urn:sys\\|x|a\\,b,c"}});
  ASSERT_EQ(query.all_of[0].any_of.size(), 2u);
  EXPECT_EQ(query.all_of[0].any_of[0].system, "urn:sys|x");
  EXPECT_EQ(query.all_of[0].any_of[0].code, "a,b");
  EXPECT_EQ(query.all_of[0].any_of[1].code, "c");
}

TEST(SearchQueryTest, RepeatedParametersAreAnded) {
  SearchQuery query = MustParse("CarePlan", {{"date", "ge2024-01-01"}, {"date", "lt2025"}});
  ASSERT_EQ(query.all_of.size(), 2u);
  EXPECT_EQ(query.all_of[0].any_of[0].prefix, SearchPrefix::kGe);
  EXPECT_EQ(query.all_of[0].any_of[0].date_low, "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(query.all_of[1].any_of[0].prefix, SearchPrefix::kLt);
  EXPECT_EQ(query.all_of[1].any_of[0].date_high, "2026-01-01T00:00:00.000Z");
}

TEST(SearchQueryTest, EveryPrefix) {
  const std::pair<const char*, SearchPrefix> cases[] = {
      {"eq", SearchPrefix::kEq}, {"ne", SearchPrefix::kNe}, {"lt", SearchPrefix::kLt},
      {"gt", SearchPrefix::kGt}, {"le", SearchPrefix::kLe}, {"ge", SearchPrefix::kGe},
      {"sa", SearchPrefix::kSa}, {"eb", SearchPrefix::kEb}, {"ap", SearchPrefix::kAp}};
  for (const auto& [text, prefix] : cases) {
    SearchQuery date = MustParse("Goal", {{"target-date", std::string(text) + "2024-05"}});
    EXPECT_EQ(date.all_of[0].any_of[0].prefix, prefix) << text;
    SearchQuery quantity = MustParse(
        "Encounter", {{"length", std::string(text) + "5.5|http://unitsofmeasure.org|min"}});
    EXPECT_EQ(quantity.all_of[0].any_of[0].prefix, prefix) << text;
    EXPECT_EQ(quantity.all_of[0].any_of[0].text, "5.5");
    EXPECT_EQ(quantity.all_of[0].any_of[0].code, "min");
  }
}

TEST(SearchQueryTest, ReferenceForms) {
  SearchQuery query =
      MustParse("CarePlan", {{"subject", "Patient/p1"},
                             {"patient", "p2"},
                             {"goal", "https://ehr.example.org/fhir/Goal/g-3/_history/4"},
                             {"subject:Group", "grp"}});
  EXPECT_EQ(query.all_of[0].any_of[0].ref_type, "Patient");
  EXPECT_EQ(query.all_of[0].any_of[0].ref_id, "p1");
  EXPECT_EQ(query.all_of[1].any_of[0].ref_type, "");
  EXPECT_EQ(query.all_of[1].any_of[0].ref_id, "p2");
  EXPECT_EQ(query.all_of[2].any_of[0].ref_type, "Goal");
  EXPECT_EQ(query.all_of[2].any_of[0].ref_id, "g-3");
  EXPECT_EQ(query.all_of[3].any_of[0].ref_type, "Group");
  EXPECT_EQ(query.all_of[3].modifier, "");
}

TEST(SearchQueryTest, StringAndMissingModifiers) {
  SearchQuery query = MustParse("Patient", {{"family", "Chalmers"},
                                            {"given:exact", "Peter"},
                                            {"name:contains", "alm"},
                                            {"birthdate:missing", "true"},
                                            {"gender:not", "male"}});
  EXPECT_EQ(query.all_of[0].modifier, "");
  EXPECT_EQ(query.all_of[0].any_of[0].text, "Chalmers");
  EXPECT_EQ(query.all_of[1].modifier, "exact");
  EXPECT_EQ(query.all_of[2].modifier, "contains");
  EXPECT_EQ(query.all_of[3].modifier, "missing");
  EXPECT_EQ(query.all_of[3].any_of[0].text, "true");
  EXPECT_EQ(query.all_of[4].modifier, "not");
}

TEST(SearchQueryTest, ResultParameters) {
  SearchQuery query = MustParse("CarePlan", {{"_count", "10"},
                                             {"_sort", "-_lastUpdated"},
                                             {"_elements", "id,status"},
                                             {"_include", "CarePlan:goal"},
                                             {"_include", "CarePlan:subject:Patient"},
                                             {"_revinclude", "Provenance:target"},
                                             {"_cursor", "abc"},
                                             {"_format", "json"},
                                             {"_id", "x1"}});
  EXPECT_EQ(query.count, 10);
  EXPECT_EQ(query.sort, SortOrder::kLastUpdatedDescending);
  EXPECT_EQ(query.elements, (std::vector<std::string>{"id", "status"}));
  ASSERT_EQ(query.includes.size(), 2u);
  EXPECT_EQ(query.includes[0].param, "goal");
  ASSERT_NE(query.includes[0].def, nullptr);
  EXPECT_EQ(query.includes[1].target_type, "Patient");
  ASSERT_EQ(query.revincludes.size(), 1u);
  EXPECT_EQ(query.revincludes[0].source_type, "Provenance");
  EXPECT_EQ(query.cursor, "abc");
  // The cursor is not part of the parameters that links are built from.
  for (const auto& [name, value] : query.source_params) EXPECT_NE(name, "_cursor");
  EXPECT_EQ(query.source_params.size(), 8u);
  EXPECT_EQ(MustParse("Goal", {{"_summary", "count"}}).summary_count, true);
  EXPECT_EQ(MustParse("Goal", {{"_sort", "_lastUpdated"}}).sort, SortOrder::kLastUpdatedAscending);
}

TEST(SearchQueryTest, CountIsClampedToTheMaximumAndDefaults) {
  SearchParseOptions options;
  options.default_count = 20;
  options.max_count = 100;
  EXPECT_EQ(MustParse("Goal", {}, options).count, 20);
  EXPECT_EQ(MustParse("Goal", {{"_count", "5000"}}, options).count, 100);
  EXPECT_EQ(MustParse("Goal", {{"_count", "0"}}, options).count, 0);
}

TEST(SearchQueryTest, EmptyValuesAreIgnored) {
  SearchQuery query = MustParse("Goal", {{"lifecycle-status", ""}});
  EXPECT_TRUE(query.all_of.empty());
}

TEST(SearchQueryTest, LenientModeSkipsUnknownParameters) {
  SearchParseOptions options;
  options.strict = false;
  SearchQuery query =
      MustParse("Goal", {{"unknown", "x"}, {"lifecycle-status", "active"}}, options);
  ASSERT_EQ(query.all_of.size(), 1u);
  EXPECT_EQ(query.source_params.size(), 1u);
}

TEST(SearchQueryTest, ErrorsNameTheParameterAndTheValue) {
  ExpectError("CarePlan", {{"colour", "red"}}, {"\"colour\"", "unknown", "CarePlan"});
  ExpectError("CarePlan", {{"subject.name", "Peter"}}, {"\"subject.name\"", "chained"});
  ExpectError("CarePlan", {{"date", "2024-13-01"}}, {"\"date\"", "2024-13-01", "month"});
  ExpectError("CarePlan", {{"date", "xx2024"}}, {"\"date\"", "prefix", "\"xx\""});
  ExpectError("Encounter", {{"length", "zz5"}}, {"\"length\"", "prefix"});
  ExpectError("Encounter", {{"length", "five"}}, {"\"length\"", "five"});
  ExpectError("Encounter", {{"length", "5|http://unitsofmeasure.org"}}, {"\"length\""});
  ExpectError("CarePlan", {{"_count", "-1"}}, {"\"_count\"", "\"-1\""});
  ExpectError("CarePlan", {{"_count", "ten"}}, {"\"_count\"", "\"ten\""});
  ExpectError("CarePlan", {{"_sort", "date"}}, {"\"_sort\"", "\"date\""});
  ExpectError("CarePlan", {{"_summary", "true"}}, {"\"_summary\"", "\"true\""});
  ExpectError("CarePlan", {{"_elements", "a b"}}, {"\"_elements\"", "\"a b\""});
  ExpectError("CarePlan", {{"_include", "CarePlan:status"}}, {"\"_include\"", "\"status\""});
  ExpectError("CarePlan", {{"_include", "Goal:subject"}}, {"\"_include\"", "CarePlan"});
  ExpectError("CarePlan", {{"_include", "CarePlan"}}, {"\"_include\"", "\"CarePlan\""});
  ExpectError("CarePlan", {{"_include", "*"}}, {"\"_include\"", "wildcard"});
  ExpectError("CarePlan", {{"_include", "CarePlan:goal:Patient"}}, {"\"Patient\"", "goal"});
  ExpectError("CarePlan", {{"_include:iterate", "CarePlan:goal"}}, {"\":iterate\""});
  ExpectError("CarePlan", {{"_revinclude", "Basic:subject"}}, {"\"_revinclude\"", "\"Basic\""});
  ExpectError("CarePlan", {{"_has", "x"}}, {"\"_has\"", "not supported"});
  ExpectError("CarePlan", {{"status:exact", "active"}}, {"\"status:exact\"", "\":exact\""});
  ExpectError("CarePlan", {{"date:contains", "2024"}}, {"\"date:contains\"", "date"});
  ExpectError("CarePlan", {{"status:missing", "maybe"}}, {"\"status:missing\"", "\"maybe\""});
  ExpectError("CarePlan", {{"patient", "Group/1"}}, {"\"patient\"", "\"Group\""});
  ExpectError("CarePlan", {{"subject:Basic", "1"}}, {"\"subject:Basic\"", "\"Basic\""});
  ExpectError("CarePlan", {{"subject", "Patient/bad id"}}, {"\"subject\"", "\"bad id\""});
  ExpectError("CarePlan", {{"subject", "patient/1"}}, {"\"subject\"", "patient/1"});
  ExpectError("CarePlan", {{"subject:Patient", "Group/1"}}, {"\"subject:Patient\""});
  ExpectError("CarePlan", {{"status", "a|b|c"}}, {"\"status\"", "a|b|c"});
  ExpectError("Basic", {{"code", "x"}}, {"\"Basic\"", "not supported"});
}

}  // namespace
}  // namespace duet::fhir
