// SearchQuery: a FHIR search, parsed from URL parameters into typed criteria that a store can
// run. Parsing is separate from execution so that the REST layer, the sync jobs and the tests all
// build queries the same way. Plain value types; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fhir/search/search_parameters.h"
#include "fhir/status.h"

namespace duet::fhir {

enum class SearchPrefix { kEq, kNe, kLt, kGt, kLe, kGe, kSa, kEb, kAp };

// One value of a criterion (the parts between commas are ORed).
struct SearchValue {
  SearchPrefix prefix = SearchPrefix::kEq;
  // token: system|code ("system" empty and has_system true for "|code"; has_system false for a
  // bare "code", which matches any system).
  bool has_system = false;
  std::string system;
  std::string code;
  // reference: "Patient/123" → type "Patient", id "123"; a bare "123" leaves type empty.
  std::string ref_type;
  std::string ref_id;
  // date: the value's range as normalized UTC instants, inclusive low, exclusive high
  // ("2024-03" → [2024-03-01T00:00:00.000Z, 2024-04-01T00:00:00.000Z)).
  std::string date_low;
  std::string date_high;
  // string / uri / number: the raw value.
  std::string text;
};

struct SearchCriterion {
  const SearchParameterDef* param = nullptr;
  std::string modifier;  // "", "exact", "contains", "missing", "not", "text", ...
  std::vector<SearchValue> any_of;
};

struct IncludeSpec {
  std::string source_type;  // "CarePlan"
  std::string param;        // "goal"
  std::string target_type;  // optional restriction, "" for any
  const SearchParameterDef* def = nullptr;
};

enum class SortOrder { kInsertion, kLastUpdatedAscending, kLastUpdatedDescending };

struct SearchQuery {
  std::string resource_type;
  std::vector<SearchCriterion> all_of;  // criteria are ANDed
  SortOrder sort = SortOrder::kInsertion;
  int count = 50;      // page size, 0 allowed (total only)
  std::string cursor;  // opaque page cursor from a previous SearchResult, "" for first page
  bool summary_count = false;
  std::vector<std::string> elements;  // _elements, empty for all
  std::vector<IncludeSpec> includes;
  std::vector<IncludeSpec> revincludes;
  // The parameters this query was parsed from, minus the cursor, in their order: the REST layer
  // renders Bundle.link "self"/"next" from them.
  std::vector<std::pair<std::string, std::string>> source_params;
};

struct SearchParseOptions {
  int default_count = 50;
  int max_count = 1000;
  // Unknown parameters are an error (strict, "handling=strict"), or ignored (lenient).
  bool strict = true;
};

// Parses decoded URL parameters (in order, repeated names allowed) for `resource_type`.
// kInvalidArgument names the parameter and what is wrong with it.
StatusOr<SearchQuery> ParseSearchQuery(
    const std::string& resource_type,
    const std::vector<std::pair<std::string, std::string>>& params,
    const SearchParseOptions& options = {});

}  // namespace duet::fhir
