// Search index extraction: turns a resource into the rows a store indexes it by, one set of rows
// per supported search parameter of its type, so that searches never parse stored JSON.
//
// Values are normalized here, once, the same way the store normalizes search values: dates
// become [low, high) UTC instant ranges, strings lower case with accents folded, references
// "Type/id" pairs. `_id` and `_lastUpdated` are not extracted: a store keeps them as columns of
// the resource itself. Pure functions over immutable inputs; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/search/search_parameters.h"

namespace duet::fhir {

struct TokenIndexRow {
  std::string param;
  std::string system;  // "" when the value has none (a code, a boolean)
  std::string code;
};

struct ReferenceIndexRow {
  std::string param;
  std::string target_type;  // "Patient"
  std::string target_id;    // "123"
};

struct DateIndexRow {
  std::string param;
  std::string low;   // inclusive UTC instant, "YYYY-MM-DDThh:mm:ss.sssZ"
  std::string high;  // exclusive
};

struct StringIndexRow {
  std::string param;
  std::string normalized;  // NormalizeSearchString(exact)
  std::string exact;       // as written in the resource
};

struct NumberIndexRow {
  std::string param;
  double value = 0;
  std::string text;  // the exact decimal
};

struct QuantityIndexRow {
  std::string param;
  double value = 0;
  std::string text;
  std::string system;
  std::string code;
  std::string unit;
};

struct UriIndexRow {
  std::string param;
  std::string uri;
};

struct SearchIndexRows {
  std::vector<TokenIndexRow> tokens;
  std::vector<ReferenceIndexRow> references;
  std::vector<DateIndexRow> dates;
  std::vector<StringIndexRow> strings;
  std::vector<NumberIndexRow> numbers;
  std::vector<QuantityIndexRow> quantities;
  std::vector<UriIndexRow> uris;
};

// The index rows of `resource` (a JSON object with resourceType) for every parameter of its type
// in `registry`, without duplicates. Values that cannot be indexed (a malformed date, a contained
// "#id" or "urn:uuid:" reference, an identifier-only reference) are skipped.
SearchIndexRows ExtractSearchIndexRows(const Json& resource,
                                       const SearchParameterRegistry& registry);

// Lower case, Latin-1 and Latin Extended-A accents folded ("Érin" → "erin", "Straße" → "strasse"),
// runs of whitespace collapsed to one space, trimmed. Used on both stored and searched strings.
std::string NormalizeSearchString(std::string_view text);

// Splits a literal reference into type and id: "Patient/1", "Patient/1/_history/2",
// "https://x/fhir/Patient/1", or a canonical "https://x/Questionnaire/q|1.0". False for local
// ("#x"), "urn:" and malformed references.
bool SplitReference(std::string_view reference, std::string* type, std::string* id);

}  // namespace duet::fhir
