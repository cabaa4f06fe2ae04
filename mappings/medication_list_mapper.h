// PRF `medication_list` ⇄ a List (LOINC 10160-0) of MedicationStatements, one per medication,
// each derived from one US Core MedicationDispense per fill (docs/mapping.md,
// "medication_list"). A medication without an RxNorm code stays text only.
//
// Stateless functions; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "mappings/field_reader.h"
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

// How the resources of one medication are identified: the medication list's own positions
// (`<mrn>/<position>`), or the reconciled medication history's keys (medication_history_mapper.h).
struct MedicationIdentity {
  fhir::Json statement_identifier;  // the MedicationStatement's business Identifier
  // The Identifier[] of the dispense of fill `index` (0-based); the first is its business one.
  std::function<fhir::Json(size_t index)> dispense_identifiers;
  size_t rank = 0;                 // the List position (extension rank); 0 = none
  bool prescriber_by_npi = false;  // a logical reference by NPI instead of a conditional one
};

// One PRF `medications[]` entry → its MedicationStatement, then one MedicationDispense per fill
// (`derivedFrom` names them by business identifier). Problems go to `medication`'s Problems.
std::vector<fhir::Json> MedicationToFhir(const FieldReader& medication,
                                         const MedicationIdentity& identity, const std::string& mrn,
                                         const std::string& as_of, const MappingContext& context);

// One MedicationStatement (with its dispenses in `resources`) → a PRF `medications[]` entry;
// what cannot be mapped back is added to `problems` with its FHIR path.
fhir::Json MedicationFromFhir(const ResourceSet& resources, const fhir::Json& statement,
                              Problems* problems);

// The date `days` days after a YYYY-MM-DD date (proleptic Gregorian calendar).
std::string AddDays(std::string_view date, long long days);

}  // namespace duet::mappings
