// Router: an HttpHandler that hands each request to the handler mounted at the longest matching
// path prefix. A prefix matches the path itself and everything below it: "/fhir" takes "/fhir"
// and "/fhir/Patient/1" but not "/fhirx"; "/" takes every path. Unmatched paths get 404 with a
// JSON body.
//
// Mount everything before serving; after that Handle() may be called from any number of threads
// at once (it only reads the table). Shares ownership of the mounted handlers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fhir/status.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

class Router final : public HttpHandler {
 public:
  // `prefix` starts with '/' and does not end with one (except "/" itself); mounting the same
  // prefix twice is an error.
  Status Mount(std::string prefix, std::shared_ptr<HttpHandler> handler);

  HttpResponse Handle(const HttpRequest& request) override;
  // Delegates to the handler mounted for `path`, so each API keeps its own error format.
  HttpResponse Failure(int status, const std::string& path,
                       const std::string& message) const override;

  // The handler that would serve `path`, or nullptr.
  HttpHandler* Find(const std::string& path) const;

 private:
  struct Route {
    std::string prefix;
    std::shared_ptr<HttpHandler> handler;
  };
  std::vector<Route> routes_;  // longest prefix first
};

}  // namespace duet::gateway
