// PracticeApiHandler: the practice API mounted at /practice/v1, in the Practice Record Format
// (docs/practice-api.md):
//   POST /practice/v1/records                 one record or a batch (RecordUpload)
//   GET  /practice/v1/<type>/<id>             a record rebuilt from FHIR (RecordLoader; a
//                                             medication list with the pulled history merged in)
//   GET  /practice/v1/referrals?status=&direction=   the referral intake queue
//   GET  /practice/v1/nps?from=&to=           the Net Promoter Score summary
// <type> is a record type (`plan_of_care`) or its collection name (`plans_of_care`). Errors are
// {"error": {"status", "message", "problems": [{"pointer", "message"}], "operation_outcome"}}.
//
// Owns its parts; holds references to the store and the FHIR handler, which must outlive it.
// Handle() is called concurrently from the HTTP server's worker threads.
#pragma once

#include "gateway/http/http_types.h"
#include "gateway/practice_api/medication_list_view.h"
#include "gateway/practice_api/practice_queries.h"
#include "gateway/practice_api/record_loader.h"
#include "gateway/practice_api/record_upload.h"
#include "gateway/store/resource_store.h"
#include "mappings/mapping_context.h"

namespace duet::gateway {

class PracticeApiHandler : public HttpHandler {
 public:
  PracticeApiHandler(ResourceStore& store, HttpHandler& fhir_api,
                     const mappings::MappingContext& context);

  HttpResponse Handle(const HttpRequest& request) override;
  HttpResponse Failure(int status, const std::string& path,
                       const std::string& message) const override;

 private:
  HttpResponse PostRecords(const HttpRequest& request);
  HttpResponse GetRecord(const std::string& collection, const std::string& id);
  HttpResponse GetReferrals(const HttpRequest& request);
  HttpResponse GetNps(const HttpRequest& request);

  RecordLoader loader_;
  RecordUpload upload_;
  PracticeQueries queries_;
  MedicationListView medication_lists_;
};

}  // namespace duet::gateway
