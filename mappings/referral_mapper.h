// PRF `referral` ⇄ US Core ServiceRequest (the order) + Task (its workflow state, code
// task-code#fulfill), docs/mapping.md "referral".
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

// The ServiceRequest first, then the Task.
// `pointer` locates the record in its document (e.g. "/records/2" in a batch); problems are
// reported with JSON pointers below it.
StatusOr<std::vector<fhir::Json>> ReferralToFhir(const fhir::Json& record,
                                                 const MappingContext& context,
                                                 std::string_view pointer = "");

// Rebuilds the referral with this id from its ServiceRequest and the Task whose focus it is.
StatusOr<fhir::Json> ReferralFromFhir(const ResourceSet& resources, std::string_view id,
                                      const MappingContext& context);

}  // namespace duet::mappings
