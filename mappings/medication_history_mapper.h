// The reconciled medication history of one patient (medication_reconciliation.h) as FHIR, apart
// from the practice's own medication list (FHIR-MAPPING.md §3: pulled history never goes into
// the practice's list by itself; a clinician imports what they choose):
// - one MedicationStatement per medication, identified by (patient, drug, prescriber):
//   `<base>/medication-history-statement|<mrn>/rxnorm-<code>/<prescriber NPI>`, so that pulling
//   again updates it; `derivedFrom` its dispenses;
// - one MedicationDispense per reconciled fill, identified by (patient, drug, fill date,
//   quantity, days supply, pharmacy): `<base>/medication-history-dispense|<mrn>/<uuid v5 of
//   those>`, followed by the identifiers every source gave it, so that a fill two sources report
//   is one dispense and pulling again creates nothing.
// The shapes are the medication list's (medication_list_mapper.h), without the List and `rank`;
// the prescriber is a logical reference by NPI (the physician need not be on file).
//
// Stateless functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "mappings/mapping_context.h"
#include "mappings/medication_reconciliation.h"
#include "mappings/resource_set.h"

namespace duet::mappings {

// The statements, each followed by its dispenses. `asserted` (an instant) becomes
// `dateAsserted`.
StatusOr<std::vector<fhir::Json>> MedicationHistoryToFhir(const ReconciledHistory& history,
                                                          const std::string& mrn,
                                                          const std::string& asserted,
                                                          const MappingContext& context);

// The medication-history statements in `resources` (which also hold their dispenses) as PRF
// `medications[]` entries, by first fill then name; entered-in-error ones are left out.
// kUnprocessable naming the FHIR paths that cannot be mapped back.
StatusOr<std::vector<fhir::Json>> MedicationHistoryFromFhir(const ResourceSet& resources,
                                                            const MappingContext& context);

// Whether `resource` is a medication-history MedicationStatement or MedicationDispense.
bool IsMedicationHistory(const fhir::Json& resource, const MappingContext& context);

}  // namespace duet::mappings
