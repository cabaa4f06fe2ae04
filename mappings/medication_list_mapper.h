// PRF `medication_list` ⇄ a List (LOINC 10160-0) of MedicationStatements, one per medication,
// each derived from one US Core MedicationDispense per fill (docs/mapping.md,
// "medication_list"). A medication without an RxNorm code stays text only.
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

// The List first, then each MedicationStatement followed by its MedicationDispenses.
// `pointer` locates the record in its document (e.g. "/records/2" in a batch); problems are
// reported with JSON pointers below it.
StatusOr<std::vector<fhir::Json>> MedicationListToFhir(const fhir::Json& record,
                                                       const MappingContext& context,
                                                       std::string_view pointer = "");

// Rebuilds the medication list of the patient with this MRN from its List.
StatusOr<fhir::Json> MedicationListFromFhir(const ResourceSet& resources, std::string_view mrn,
                                            const MappingContext& context);

// The date `days` days after a YYYY-MM-DD date (proleptic Gregorian calendar).
std::string AddDays(std::string_view date, long long days);

}  // namespace duet::mappings
