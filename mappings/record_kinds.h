// The kinds of Practice Record Format records and the business-identifier kind each maps to
// (FHIR-MAPPING.md: <identifier_base>/<kind>). The converters themselves arrive with the
// mapping work; this table is what the gateway needs to know about PRF today.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace duet::mappings {

struct RecordKind {
  std::string record_type;      // "plan_of_care"
  std::string identifier_kind;  // "plan-of-care"
};

const std::vector<RecordKind>& RecordKinds();

// The identifier system for a kind: "<base>/<kind>", without a doubled slash.
std::string IdentifierSystem(std::string_view identifier_base, std::string_view kind);

}  // namespace duet::mappings
