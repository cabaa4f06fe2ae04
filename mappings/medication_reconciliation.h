// Reconciliation of a patient's medication history (FHIR-MAPPING.md §3): the fills that
// medication-history sources report (PBM claims, pharmacy dispenses) become the
// `medication_history` entries of the patient's PRF medication_list:
// 1. each fill is read from a MedicationDispense: RxNorm code (else the NDC), fill date, quantity,
//    days supply, pharmacy, prescriber NPI (through the authorizing MedicationRequest), source;
// 2. reversed claims (status entered-in-error, cancelled, declined, stopped) are dropped;
// 3. exact duplicates (same drug, fill date, quantity, days supply and pharmacy) reported by two
//    feeds collapse into one fill that names both sources;
// 4. the rest are grouped by (drug, prescriber) into one medication each, effective from the
//    first fill to the last fill + its days supply, `active` when that end + 30 days of grace is
//    on or after the as-of date, else `completed`.
// Mapping NDC to RxNorm and SBD to SCD needs RxNorm's tables, which Duet does not carry: a fill
// coded with an NDC only is grouped by its NDC and keeps no RxNorm code (docs/mapping.md).
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "fhir/json.h"
#include "mappings/resource_set.h"

namespace duet::mappings {

struct ReportedFill {
  std::string rxnorm;  // "" when the source gave none
  std::string ndc;
  std::string name;
  std::string date;     // YYYY-MM-DD
  fhir::Json quantity;  // a number
  long long days_supply = 0;
  std::string pharmacy;
  std::string prescriber_npi;
  std::string source_name;
  bool reversed = false;
  // The source's identifiers of the dispense (a collapsed fill has those of every source).
  std::vector<fhir::Json> identifiers;
};

// The fills of every MedicationDispense in `resources` (which also holds the MedicationRequests
// and Practitioners they reference, when the source gave them). `default_source` names fills
// whose dispense says nothing of its source. Dispenses that cannot be read are reported in
// `problems` ("MedicationDispense/abc: has no fill date") and skipped.
std::vector<ReportedFill> FillsFromDispenses(const ResourceSet& resources,
                                             const std::string& default_source,
                                             std::vector<std::string>* problems);

struct ReconciledHistory {
  std::vector<fhir::Json> medications;  // PRF medication_list.medications[] entries
  // The fills of each medication (same order), as reconciled: oldest first, duplicates collapsed.
  std::vector<std::vector<ReportedFill>> fills;
  int reversed_dropped = 0;
  int duplicates_collapsed = 0;
  std::vector<std::string> sources;  // every source name seen, in order
};

// Steps 2-4 above; `as_of` is a YYYY-MM-DD date.
ReconciledHistory ReconcileFills(std::vector<ReportedFill> fills, const std::string& as_of);

// The patient's medication_list with the history replacing any earlier `medication_history`
// entries; what the patient reported stays. `existing` may be null. `as_of` is an instant.
fhir::Json MedicationListWithHistory(const fhir::Json* existing, const std::string& mrn,
                                     const std::string& as_of,
                                     const std::vector<fhir::Json>& history);

}  // namespace duet::mappings
