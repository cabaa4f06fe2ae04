// FhirRestHandler: the FHIR R4 REST API mounted at /fhir: read, vread, create (conditional),
// update (If-Match, conditional), delete (conditional), history, search, batch/transaction and
// metadata, over a ResourceStore.
//
// Holds references to the store, validator and write rules, which must outlive it. Handle() is
// called concurrently from the HTTP server's worker threads; the handler keeps no mutable state.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "fhir/validation/validator.h"
#include "gateway/fhir_api/bundle_processor.h"
#include "gateway/fhir_api/fhir_response.h"
#include "gateway/fhir_api/fhir_route.h"
#include "gateway/fhir_api/resource_intake.h"
#include "gateway/fhir_api/resource_writer.h"
#include "gateway/http/http_types.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

struct FhirApiOptions {
  std::string mount_path = "/fhir";
  // Public FHIR base URL ("https://duet.example.org/fhir") for links and Location headers; when
  // empty, the scheme and host the request came in on plus `mount_path`.
  std::string public_fhir_base;
  std::string software_version = "0.1.0";
  int default_page_size = 50;
  int max_page_size = 1000;
  size_t max_bundle_entries = 5000;
};

class FhirRestHandler : public HttpHandler {
 public:
  // `rules` (may be null) judge and follow every create and update (gateway/workflow/).
  FhirRestHandler(ResourceStore& store, const fhir::Validator& validator, FhirApiOptions options,
                  const WriteRules* rules = nullptr);

  HttpResponse Handle(const HttpRequest& request) override;
  // An OperationOutcome, like every other error of the FHIR API.
  HttpResponse Failure(int status, const std::string& path,
                       const std::string& message) const override;

 private:
  struct Call {
    const HttpRequest& request;
    FhirRoute route;
    std::string fhir_base;
    ResponseFormat format;
  };

  HttpResponse Dispatch(const Call& call);
  HttpResponse Metadata(const Call& call);
  HttpResponse Read(const Call& call);
  HttpResponse VRead(const Call& call);
  HttpResponse Create(const Call& call);
  HttpResponse Update(const Call& call);
  HttpResponse ConditionalUpdate(const Call& call);
  HttpResponse Delete(const Call& call);
  HttpResponse ConditionalDelete(const Call& call);
  HttpResponse Search(const Call& call,
                      const std::vector<std::pair<std::string, std::string>>& params);
  HttpResponse History(const Call& call);
  HttpResponse ProcessBundle(const Call& call);

  // Runs `write` inside a new write transaction and commits it when it succeeds.
  template <typename WriteFn>
  InteractionResult InTransaction(WriteFn&& write);
  HttpResponse WriteResponse(const Call& call, const InteractionResult& result);
  StatusOr<fhir::Json> IntakeBody(const Call& call, HttpResponse& failure);

  ResourceStore& store_;
  // The CapabilityStatement only changes with the base URL it names: built once per base.
  std::mutex metadata_mutex_;
  std::map<std::string, std::string> metadata_by_base_;
  ResourceIntake intake_;
  ResourceWriter writer_;
  FhirApiOptions options_;
  BundleProcessor bundles_;
};

}  // namespace duet::gateway
