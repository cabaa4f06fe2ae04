// SmartAuthHandler: the two SMART Backend Services routes of the authorization server:
//   GET  /fhir/.well-known/smart-configuration  the discovery document (open);
//   POST /auth/token                            client_credentials with a private_key_jwt
//                                               assertion → a bearer token (token_service.h).
// The token URL clients must name in `aud` is the configured public origin (fhir.base_url's
// scheme and authority) or, without one, the origin the request came in on, + "/auth/token".
// Every grant and refusal is logged with the client id and the reason, never the assertion or
// the token.
//
// Holds a reference to the TokenService, which must outlive it; mount it at both "/auth" and
// "/fhir/.well-known". Handle() is called concurrently; no mutable state of its own.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "gateway/auth/token_service.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

class SmartAuthHandler : public HttpHandler {
 public:
  // `public_fhir_base` as configured (fhir.base_url), "" to use each request's origin.
  SmartAuthHandler(const TokenService& tokens, std::string public_fhir_base,
                   std::function<int64_t()> clock);

  HttpResponse Handle(const HttpRequest& request) override;
  // An OAuth2 error body: `server_error` for 5xx, `temporarily_unavailable` for 429 (rate
  // limited), `invalid_request` otherwise.
  HttpResponse Failure(int status, const std::string& path,
                       const std::string& message) const override;

  // Called once per token request with "" when a token was issued, else the OAuth2 error code
  // (for metrics). Set before serving; it must be thread-safe.
  void SetTokenObserver(std::function<void(std::string_view error)> observer);

 private:
  std::string TokenUrl(const HttpRequest& request) const;
  HttpResponse Discovery(const HttpRequest& request) const;
  // `error` receives the OAuth2 error code of a refusal.
  HttpResponse Token(const HttpRequest& request, std::string& error) const;

  const TokenService& tokens_;
  std::string public_origin_;
  std::function<int64_t()> clock_;
  std::function<void(std::string_view error)> token_observer_;
};

}  // namespace duet::gateway
