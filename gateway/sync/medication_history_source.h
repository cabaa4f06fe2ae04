// MedicationHistorySource: one medication-history source (a configured endpoint: an
// intermediary's FHIR server for PBM claims or pharmacy fills) as the pull_medication_history job
// sees it. It finds the practice's patient there and fetches that patient's fills.
//
// Finding the patient (FHIR-MAPPING.md §3, "matching demographics"): first by identifier (the
// practice MRN, then the Medicare MBI), else by demographics (family, given, birth date, gender,
// ZIP, as far as the practice knows them). Exactly one match is used; more than one is refused
// (kConflict, naming the candidates) and none is kNotFound naming every search made: never a
// guess.
//
// Holds references to the client, which must outlive it. Called by the job's thread only.
#pragma once

#include <string>
#include <vector>

#include "fhir/client/fhir_client.h"
#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/config/sync_config.h"
#include "mappings/mapping_context.h"

namespace duet::gateway {

struct SourcePatient {
  std::string id;          // the source's Patient id
  std::string matched_by;  // "identifier http://hl7.org/fhir/sid/us-mbi|1EG4TE5MK73"
};

class MedicationHistorySource {
 public:
  MedicationHistorySource(EndpointConfig endpoint, fhir::FhirClient& client)
      : endpoint_(std::move(endpoint)), client_(client) {}

  // The source's patient for our `patient` (a Patient resource of the store).
  StatusOr<SourcePatient> FindPatient(const fhir::Json& patient,
                                      const mappings::MappingContext& context);

  // The patient's MedicationDispenses handed over on or after `from` (YYYY-MM-DD) with the
  // MedicationRequests they name, the MedicationRequests written since `from`, and the
  // Practitioners those name: every page, each resource once, ordered by type and id.
  StatusOr<std::vector<fhir::Json>> FetchHistory(const std::string& patient_id,
                                                 const std::string& from);

  const EndpointConfig& endpoint() const { return endpoint_; }

 private:
  // The Patients a search finds (at most a few: more than one is refused anyway).
  StatusOr<std::vector<std::string>> MatchingIds(const std::string& query);

  EndpointConfig endpoint_;
  fhir::FhirClient& client_;
};

}  // namespace duet::gateway
