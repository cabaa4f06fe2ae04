// RateLimitKey: names the client a request is charged to for rate limiting (RateLimitGate):
//   "client <id>"     a live SMART access token on the FHIR API (its client id);
//   "practice"        the practice's own token on the practice API;
//   "address <addr>"  anything else, by remote address: unauthenticated calls, `POST /auth/token`
//                     (so guessing assertions or tokens is limited too) and unknown or expired
//                     tokens.
// Holds pointers to the token table and the practice gate (either may be null: development mode,
// no practice token), which must outlive it. operator() is called concurrently; no mutable state.
#pragma once

#include <functional>
#include <string>

#include "gateway/auth/access_tokens.h"
#include "gateway/auth/static_bearer_gate.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

class RateLimitKey {
 public:
  RateLimitKey(const AccessTokens* tokens, const StaticBearerGate* practice_gate,
               std::function<int64_t()> clock);

  std::string operator()(const HttpRequest& request) const;

 private:
  const AccessTokens* tokens_;
  const StaticBearerGate* practice_gate_;
  std::function<int64_t()> clock_;
};

}  // namespace duet::gateway
