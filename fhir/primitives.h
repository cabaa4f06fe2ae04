// Checks of FHIR R4 primitive values: the JSON kind each primitive must use and the lexical and
// calendar rules of its value (http://hl7.org/fhir/R4/datatypes.html#primitive).
//
// Stateless pure functions: safe to call from any thread. No regex is compiled; the checks are
// hand-written scanners that accept exactly what the official R4 regexes accept, plus the rules
// the regexes cannot express (real calendar dates, integer ranges, string size, narrative
// content).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fhir/json.h"

namespace duet::fhir {

enum class PrimitiveType {
  kBase64Binary,
  kBoolean,
  kCanonical,
  kCode,
  kDate,
  kDateTime,
  kDecimal,
  kId,
  kInstant,
  kInteger,
  kMarkdown,
  kOid,
  kPositiveInt,
  kString,
  kTime,
  kUnsignedInt,
  kUri,
  kUrl,
  kUuid,
  kXhtml,
};

// "dateTime" -> kDateTime; nullopt for anything that is not an R4 primitive type name.
std::optional<PrimitiveType> PrimitiveTypeFromName(std::string_view name);
std::string_view PrimitiveTypeName(PrimitiveType type);

// FHIR strings SHALL NOT exceed 1 MB (counted in Unicode characters).
inline constexpr size_t kMaxStringCharacters = size_t{1024} * 1024;

// Why a primitive value is invalid. `issue_code` is the FHIR issue-type: "structure" for the
// wrong JSON kind, "value" for a bad lexical form, "invariant" for narrative rules (txt-1/txt-2).
struct PrimitiveError {
  std::string issue_code;
  std::string message;
};

// Checks the JSON representation of one primitive value (not null: null is only a placeholder in
// arrays aligned with `_name` extensions, which the caller handles). Returns nullopt when valid.
std::optional<PrimitiveError> CheckPrimitive(PrimitiveType type, const Json& value);

// Lexical checks of the text form (for string-kinded types; the JSON kind is not checked).
// Return nullopt when valid, otherwise a message such as
// "\"2023-02-30\" is not a valid date: February 2023 has 28 days".
std::optional<std::string> CheckDateText(std::string_view text);
std::optional<std::string> CheckDateTimeText(std::string_view text);
std::optional<std::string> CheckInstantText(std::string_view text);
std::optional<std::string> CheckTimeText(std::string_view text);
std::optional<std::string> CheckIdText(std::string_view text);
std::optional<std::string> CheckCodeText(std::string_view text);
// Narrative div: a well-formed <div> in the XHTML namespace using only the elements and attributes
// txt-1 allows, with some non-whitespace text or an <img src> (txt-2).
std::optional<PrimitiveError> CheckXhtml(std::string_view text);

}  // namespace duet::fhir
