// BundleProcessor: the batch and transaction interactions (POST of a Bundle to the FHIR base).
//
// A transaction runs every entry inside one WriteTransaction: urn:uuid fullUrls and conditional
// references ("Patient?identifier=...") are resolved first, writes run in the order the spec
// gives (DELETE, POST, PUT), and either all of it is committed or nothing is. A batch runs each
// entry on its own, through the same handler as a plain request.
//
// Holds references to the store, intake and writer, which must outlive it. Stateless otherwise:
// any thread may call Process concurrently.
#pragma once

#include <functional>
#include <string>

#include "fhir/json.h"
#include "gateway/fhir_api/fhir_response.h"
#include "gateway/fhir_api/resource_intake.h"
#include "gateway/fhir_api/resource_writer.h"
#include "gateway/http/http_types.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

class BundleProcessor {
 public:
  // Handles one batch entry (or a transaction's GET entries) as a request of its own.
  using SubRequestHandler = std::function<HttpResponse(const HttpRequest&)>;

  struct Context {
    const HttpRequest& outer;  // the POST that carried the Bundle
    std::string mount_path;    // "/fhir"
    std::string fhir_base;     // "https://host:8443/fhir"
    ResponseFormat format;
    SubRequestHandler sub_request;
  };

  BundleProcessor(ResourceStore& store, const ResourceIntake& intake, const ResourceWriter& writer,
                  size_t max_entries);

  HttpResponse Process(const fhir::Json& bundle, const Context& context) const;

 private:
  struct Entry;
  HttpResponse ProcessBatch(std::vector<Entry>& entries, const Context& context) const;
  HttpResponse ProcessTransaction(std::vector<Entry>& entries, const Context& context) const;
  StatusOr<std::vector<Entry>> ReadEntries(const fhir::Json& bundle, const Context& context,
                                           bool transaction) const;

  ResourceStore& store_;
  const ResourceIntake& intake_;
  const ResourceWriter& writer_;
  size_t max_entries_;
};

}  // namespace duet::gateway
