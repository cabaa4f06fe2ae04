// MedicationHistoryWriter: stores what one medication-history source returned for one patient,
// reconciled with what every other source returned before (FHIR-MAPPING.md §3, docs/sync.md
// "pull_medication_history"), as ONE transaction through the gateway's own FHIR API:
// - the source's raw answer: a DocumentReference (LOINC 10160-0) per (patient, source),
//   identified `<base>/medication-history-response|<mrn>/<endpoint>`, its attachment the
//   source's resources as a collection Bundle, `date` when that answer last changed;
// - the reconciled fills and medications over every source's held answer
//   (medication_history_mapper.h): a fill two sources report is one MedicationDispense;
// - what the sources no longer report: its dispenses and statements become entered-in-error;
// - one Provenance per patient (id: UUID v5 of the practice base and MRN) targeting the
//   statements and dispenses, one agent per source organization, one entity per raw answer.
// Everything written is a function of the sources' answers and the as-of date, so storing the
// same answers again writes no new versions, and a transaction cut short leaves nothing.
// Never touches the practice's own medication list.
//
// Holds references to the store and the handler, which must outlive it. Called by the job's
// thread only.
#pragma once

#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/config/sync_config.h"
#include "gateway/http/http_types.h"
#include "gateway/store/resource_store.h"
#include "mappings/mapping_context.h"

namespace duet::gateway {

// One source's answer for one patient.
struct PulledHistory {
  const EndpointConfig* endpoint = nullptr;
  std::string matched_by;             // how the source's patient was found
  std::vector<fhir::Json> resources;  // as the source sent them
};

struct StoredHistory {
  int medications = 0;                // MedicationStatements now held for the patient
  int fills = 0;                      // MedicationDispenses (reconciled fills)
  int sources = 0;                    // sources whose answers were reconciled
  std::vector<std::string> problems;  // source dispenses left out, and why
};

class MedicationHistoryWriter {
 public:
  MedicationHistoryWriter(ResourceStore& store, HttpHandler& local_fhir,
                          mappings::MappingContext context)
      : store_(store), local_fhir_(local_fhir), context_(std::move(context)) {}

  // `patient` is the store's Patient with MRN `mrn`; `from` and `as_of` are YYYY-MM-DD (fills
  // before `from` are left out; statuses hold as of `as_of`); `now` an instant.
  StatusOr<StoredHistory> Store(const StoredResource& patient, const std::string& mrn,
                                const PulledHistory& pulled, const std::string& from,
                                const std::string& as_of, const std::string& now);

 private:
  // POSTs the transaction to the local FHIR API.
  Status Post(const fhir::Json& bundle);

  ResourceStore& store_;
  HttpHandler& local_fhir_;
  mappings::MappingContext context_;
};

}  // namespace duet::gateway
