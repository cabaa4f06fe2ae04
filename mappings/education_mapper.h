// PRF `education` ⇄ Communication (category instruction, payload the content's URL and title),
// docs/mapping.md "education".
//
// Stateless functions; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "mappings/mapping_context.h"
#include "mappings/resource_set.h"

namespace duet::mappings {

// The Communication.
// `pointer` locates the record in its document (e.g. "/records/2" in a batch); problems are
// reported with JSON pointers below it.
StatusOr<std::vector<fhir::Json>> EducationToFhir(const fhir::Json& record,
                                                  const MappingContext& context,
                                                  std::string_view pointer = "");

// Rebuilds the education record with this id from its Communication.
StatusOr<fhir::Json> EducationFromFhir(const ResourceSet& resources, std::string_view id,
                                       const MappingContext& context);

}  // namespace duet::mappings
