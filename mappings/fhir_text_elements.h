// The FHIR datatypes of fhir_elements.h written as text (JsonTextWriter) rather than built as
// trees, for the mappers that write their resources member by member. Each writes exactly the
// members, in the same order, that its tree counterpart builds: MakeCoding ⇄ WriteCoding, and so
// on. `key` is the member to write; kItem (empty) writes an array item instead.
//
// Free functions; thread-safe (each writer on one thread).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/json_text_writer.h"
#include "mappings/code_tables.h"
#include "mappings/fhir_elements.h"

namespace duet::mappings {

inline constexpr std::string_view kItem = {};

// {  as the member `key`, or as an array item when `key` is kItem.
void BeginObjectAt(fhir::JsonTextWriter& out, std::string_view key);

// "meta": {"profile": [profile]}.
void WriteMeta(fhir::JsonTextWriter& out, std::string_view profile);
// "identifier": [{"system", "value"}].
void WriteIdentifier(fhir::JsonTextWriter& out, std::string_view system, std::string_view value);
// {"system", "code", "display"}; display left out when empty.
void WriteCoding(fhir::JsonTextWriter& out, std::string_view key, std::string_view system,
                 std::string_view code, std::string_view display = "");
// {"coding": [coding], "text"}; text left out when empty.
void WriteConcept(fhir::JsonTextWriter& out, std::string_view key, std::string_view system,
                  std::string_view code, std::string_view display = "", std::string_view text = "");
void WriteConcept(fhir::JsonTextWriter& out, std::string_view key, const CodedValue& coded,
                  std::string_view text = "");
// {"text": text}.
void WriteTextConcept(fhir::JsonTextWriter& out, std::string_view key, std::string_view text);
// {"reference": reference}.
void WriteReference(fhir::JsonTextWriter& out, std::string_view key, std::string_view reference);
// {"value", "unit", "system": UCUM, "code": unit}; `value` is JSON number text.
void WriteUcumQuantity(fhir::JsonTextWriter& out, std::string_view key, std::string_view value,
                       std::string_view unit);
// An extension item {"url", "<value_key>": value} with a string value.
void WriteStringExtension(fhir::JsonTextWriter& out, std::string_view url,
                          std::string_view value_key, std::string_view value);
// {"url": url  of an extension item; the caller writes its value or parts and ends the object.
void BeginExtension(fhir::JsonTextWriter& out, std::string_view url);
// "text": {"status": "generated", "div"}, the narrative's members (NarrativeBuilder::Build).
void WriteNarrative(fhir::JsonTextWriter& out, NarrativeBuilder& narrative);

}  // namespace duet::mappings
