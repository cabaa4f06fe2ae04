// RecordUpload: `POST /practice/v1/records`. Takes one PRF record or a batch, validates all of it
// (schema and rules, every problem with its JSON pointer), converts it and stores it in one FHIR
// transaction through the gateway's own FHIR API, so a batch is all-or-nothing and every
// workflow rule applies. A record whose stored `updated_at` is newer than the one sent is left
// alone ("ignored_older"); a record sent again unchanged changes nothing ("unchanged").
//
// Uploads are serialized (one at a time per gateway) so that the newer-wins decision and the
// write it leads to cannot interleave with another upload; FHIR-side writes in between are met
// by the workflow rules inside the transaction. Holds references to the loader and the FHIR
// handler, which must outlive it. Any thread may call Upload.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/http/http_types.h"
#include "gateway/practice_api/record_loader.h"
#include "mappings/prf_problem.h"

namespace duet::gateway {

// Why an upload failed: the HTTP status, a message, and the problems (PRF pointers) or the
// OperationOutcome the FHIR side answered with.
struct UploadFailure {
  int http_status = 400;
  std::string message;
  std::vector<mappings::PrfProblem> problems;
  fhir::Json operation_outcome;  // null unless the FHIR transaction refused the records
};

class RecordUpload {
 public:
  RecordUpload(const RecordLoader& loader, HttpHandler& fhir_api)
      : loader_(loader), fhir_api_(fhir_api) {}

  // {"records": [{"pointer", "record", "id", "outcome", "fhir"}...]} on success.
  // `outer` is the request that carried the records (its base URL and client address).
  StatusOr<fhir::Json> Upload(const std::string& body, const HttpRequest& outer,
                              UploadFailure* failure);

  struct Item;  // one record of the upload and what became of it

 private:
  StatusOr<std::vector<Item>> Plan(const fhir::Json& document) const;
  Status Store(std::vector<Item>& items, const HttpRequest& outer, UploadFailure* failure);

  const RecordLoader& loader_;
  HttpHandler& fhir_api_;
  std::mutex upload_mutex_;
};

}  // namespace duet::gateway
