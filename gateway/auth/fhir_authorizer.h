// FhirAuthorizer: the FHIR API behind SMART bearer tokens. Wraps the FHIR handler (mounted at
// /fhir) and lets a request through only when its `Authorization: Bearer` token is live and its
// scopes cover the interaction: read and vread need `r`, search and history `s`, create `c`,
// update `u`, delete `d`, on the resource type (or `*`); system-wide search and history need
// `system/*`; a batch or transaction needs, for each entry, what that entry would need on its
// own. `/fhir/metadata` stays open. A missing or dead token answers 401 with
// `WWW-Authenticate: Bearer`; too narrow a token 403; both as OperationOutcome.
//
// Then the client sees only the patients shared with its organization (patient_access.h). That
// is enforced where the FHIR API reads and writes: the authorizer opens a PartnerScope around the
// request, and the FHIR handler behind it must read and write through PartnerVisibleStore, which
// leaves out of reads, searches (includes and totals too), histories and conditional matches what
// is not visible and refuses to change it or to write a resource naming a patient the client may
// not see (404, as if that patient did not exist). The authorizer checks a single resource it
// answers once more (cheap: one decision per version) in case the handler was wired without that
// store.
//
// Holds the inner handler (shared) and references to the store and token table, which must
// outlive it.
// Handle() is called concurrently from the server's threads; no mutable state of its own.
#pragma once

#include <functional>
#include <memory>

#include "gateway/auth/access_tokens.h"
#include "gateway/auth/patient_access.h"
#include "gateway/fhir_api/fhir_route.h"
#include "gateway/http/http_types.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

class FhirAuthorizer : public HttpHandler {
 public:
  FhirAuthorizer(std::shared_ptr<HttpHandler> fhir_api, ResourceStore& store,
                 const AccessTokens& tokens, std::function<int64_t()> clock,
                 std::string mount_path = "/fhir");

  HttpResponse Handle(const HttpRequest& request) override;
  HttpResponse Failure(int status, const std::string& path,
                       const std::string& message) const override;

 private:
  // "" when `principal` may make the request (`body`: the parsed Bundle of a batch or
  // transaction, else null); else why not.
  std::string Refusal(const HttpRequest& request, const FhirRoute& route, const fhir::Json* body,
                      const Principal& principal) const;
  StatusOr<HttpResponse> FilterRead(const HttpRequest& request, const FhirRoute& route,
                                    HttpResponse response, PatientAccess& access);

  std::shared_ptr<HttpHandler> fhir_api_;
  const AccessTokens& tokens_;
  PatientAccessCache access_;
  std::function<int64_t()> clock_;
  std::string mount_path_;
};

}  // namespace duet::gateway
