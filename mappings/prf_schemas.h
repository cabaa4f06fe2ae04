// The PRF v1 JSON Schemas (draft-04, mappings/schema/), compiled into the library so that neither
// `duet` nor its tests read schema files at run time.
//
// Immutable static data; safe to use from any thread.
#pragma once

#include <string_view>
#include <vector>

namespace duet::mappings {

// The PRF v1 record types in the order of the spec, "batch" last.
const std::vector<std::string_view>& PrfRecordTypes();

// The schema text of a record type ("plan_of_care" -> plan_of_care.schema.json); empty when the
// type is not a PRF record type.
std::string_view PrfSchemaText(std::string_view record_type);

}  // namespace duet::mappings
