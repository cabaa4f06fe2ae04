// MedicationListView: the patient's PRF `medication_list` as `GET /practice/v1/medication_lists/
// <mrn>` returns it: the practice's own list (the List, rebuilt by RecordLoader) with its
// `medication_history` entries replaced by the reconciled history that the
// pull_medication_history jobs hold for the patient (medication_history_mapper.h); what the
// patient reported stays. Without pulled history it is the practice's list as stored; without a
// list but with history, a list of the history alone. Reading never writes: the practice imports
// what a clinician chooses by posting the list back (FHIR-MAPPING.md §3).
//
// Holds references to the store and loader, which must outlive it; thread-safe (reads only).
#pragma once

#include <string>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/practice_api/record_loader.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

class MedicationListView {
 public:
  MedicationListView(ResourceStore& store, const RecordLoader& loader)
      : store_(store), loader_(loader) {}

  // kNotFound when the patient has neither a list nor pulled history.
  StatusOr<fhir::Json> Load(const std::string& mrn) const;

 private:
  // The PRF entries of the pulled history and the newest `dateAsserted` among them.
  StatusOr<std::pair<std::vector<fhir::Json>, std::string>> History(
      const std::string& patient_id) const;

  ResourceStore& store_;
  const RecordLoader& loader_;
};

}  // namespace duet::gateway
