// Builders for the FHIR datatypes the mappers emit (Identifier, CodeableConcept, Reference,
// Quantity, Narrative, meta) and the conditional-reference syntax they use.
//
// Free functions and a small value-type narrative builder; no shared state, thread-safe.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/json.h"
#include "mappings/code_tables.h"

namespace duet::mappings {

fhir::Json Str(std::string_view text);
// Overloads so that a string built for the value is moved in rather than copied (and a literal
// is not ambiguous between the two).
fhir::Json Str(std::string&& text);
fhir::Json Str(const char* text);
// One member for Obj. It points at its value rather than holding it: the value is a temporary of
// the full expression that calls Obj, which lives until Obj returns, so Obj moves it into the
// object once (a named value is copied, as passing it by value would).
struct ObjMember {
  ObjMember(std::string_view member_key, fhir::Json&& member_value)
      : key(member_key), value(&member_value), temporary(&member_value) {}
  ObjMember(std::string_view member_key, const fhir::Json& member_value)
      : key(member_key), value(&member_value) {}

  std::string_view key;
  const fhir::Json* value;
  fhir::Json* temporary = nullptr;  // the value, when it may be moved from
};

// An object from members in order; members whose value is null are left out. The names are the
// caller's literals, each given once (asserted in debug builds, not checked otherwise).
fhir::Json Obj(std::initializer_list<ObjMember> members);

// One item for Arr({...}) and MoveItems, pointing at its value as ObjMember does.
struct ArrItem {
  ArrItem(fhir::Json&& item_value)  // NOLINT: implicit on purpose
      : value(&item_value), temporary(&item_value) {}
  ArrItem(const fhir::Json& item_value)  // NOLINT: implicit on purpose
      : value(&item_value) {}

  const fhir::Json* value;
  fhir::Json* temporary = nullptr;
};
// The items moved (or copied, when named) out of a braced list.
std::vector<fhir::Json> MoveItems(std::initializer_list<ArrItem> items);

fhir::Json Arr(std::initializer_list<ArrItem> items);
fhir::Json Arr(std::vector<fhir::Json> items);
fhir::Json StrArr(const std::vector<std::string>& items);

fhir::Json MakeIdentifier(std::string_view system, std::string_view value);
fhir::Json MakeCoding(const CodedValue& coded);
fhir::Json MakeCoding(std::string_view system, std::string_view code,
                      std::string_view display = "");
// {"coding": [coding], "text": text}; text left out when empty.
fhir::Json MakeConcept(fhir::Json coding, std::string_view text = "");
// A text-only CodeableConcept: for free text that must never be given a code.
fhir::Json TextConcept(std::string_view text);
fhir::Json MakeMeta(std::string_view profile);
// A UCUM Quantity; `value` is a JSON number whose text is kept exactly.
fhir::Json UcumQuantity(fhir::Json value, std::string_view unit);

// "Type?identifier=<system>|<value>", with FHIR search escapes (\| \, \$ \\) in the value and
// percent-encoding of what a URL query cannot carry literally.
std::string ConditionalUrl(std::string_view type, std::string_view system, std::string_view value);
// {"reference": ConditionalUrl(...)}.
fhir::Json ConditionalReference(std::string_view type, std::string_view system,
                                std::string_view value);
// A reference to a Practitioner by NPI.
fhir::Json PractitionerReference(std::string_view npi);
// A logical reference ({"identifier": {NPI}}), for an NPI whose resource type is not known.
fhir::Json NpiLogicalReference(std::string_view npi);

// Percent-encodes what may not appear literally in a URL path segment; and the reverse.
std::string EncodePathSegment(std::string_view text);
std::string DecodePercent(std::string_view text);

// The parts of a conditional reference "Type?identifier=system|value" (decoded), or nullopt when
// `reference` is not one.
struct ConditionalParts {
  std::string type;
  std::string system;
  std::string value;
};
std::optional<ConditionalParts> ParseConditionalReference(std::string_view reference);

// Builds Narrative.div XHTML: a heading and "label: value" items, all text escaped as it is
// added. One narrative per builder, on one thread.
class NarrativeBuilder {
 public:
  explicit NarrativeBuilder(std::string_view heading);
  void Item(std::string_view label, std::string_view value);
  // The same, with the label and the value given in parts, written one after the other.
  void Item(std::initializer_list<std::string_view> label,
            std::initializer_list<std::string_view> value);
  // {"status": "generated", "div": "<div xmlns=...>...</div>"}; the builder is spent afterwards.
  fhir::Json Build();
  // The div alone, as Build gives it; the builder is spent afterwards.
  std::string TakeDiv();

 private:
  std::string div_;  // the XHTML so far, open elements not yet closed
  bool has_items_ = false;
};

}  // namespace duet::mappings
