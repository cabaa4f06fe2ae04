// FhirAuthorizer: the FHIR API behind SMART bearer tokens. Wraps the FHIR handler (mounted at
// /fhir) and lets a request through only when its `Authorization: Bearer` token is live and its
// scopes cover the interaction: read and vread need `r`, search and history `s`, create `c`,
// update `u`, delete `d`, on the resource type (or `*`); system-wide search and history need
// `system/*`; a batch or transaction needs, for each entry, what that entry would need on its
// own. `/fhir/metadata` stays open. A missing or dead token answers 401 with
// `WWW-Authenticate: Bearer`; too narrow a token 403; both as OperationOutcome.
//
// Holds the inner handler (shared) and a reference to the token table, which must outlive it.
// Handle() is called concurrently from the server's threads; no mutable state of its own.
#pragma once

#include <functional>
#include <memory>

#include "gateway/auth/access_tokens.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

class FhirAuthorizer : public HttpHandler {
 public:
  FhirAuthorizer(std::shared_ptr<HttpHandler> fhir_api, const AccessTokens& tokens,
                 std::function<int64_t()> clock, std::string mount_path = "/fhir");

  HttpResponse Handle(const HttpRequest& request) override;
  HttpResponse Failure(int status, const std::string& path,
                       const std::string& message) const override;

 private:
  // "" when `principal` may make the request; else why not.
  std::string Refusal(const HttpRequest& request, const Principal& principal) const;

  std::shared_ptr<HttpHandler> fhir_api_;
  const AccessTokens& tokens_;
  std::function<int64_t()> clock_;
  std::string mount_path_;
};

}  // namespace duet::gateway
