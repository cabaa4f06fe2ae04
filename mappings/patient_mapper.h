// PRF `patient` ⇄ US Core Patient + one Coverage per insurance + one Goal per health goal the
// patient expressed (docs/mapping.md, "patient").
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

// The Patient first, then Coverages in insurance order, then the health-goal Goals.
// `pointer` locates the record in its document (e.g. "/records/2" in a batch); problems are
// reported with JSON pointers below it.
StatusOr<std::vector<fhir::Json>> PatientToFhir(const fhir::Json& record,
                                                const MappingContext& context,
                                                std::string_view pointer = "");

// Rebuilds the patient record with this MRN from the Patient and the Coverages and Goals that
// refer to it.
StatusOr<fhir::Json> PatientFromFhir(const ResourceSet& resources, std::string_view mrn,
                                     const MappingContext& context);

}  // namespace duet::mappings
