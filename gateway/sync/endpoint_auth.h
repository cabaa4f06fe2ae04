// How the sync jobs authorize their requests to a partner endpoint (config `endpoints[].auth`):
// - none;
// - bearer: a static token read from `token_file` at every use (so a rotated file takes effect);
// - smart: SMART Backend Services as a client. Each token request carries a fresh client
//   assertion (a JWT signed ES384 or RS384 with header kid and typ, claims iss = sub = client_id,
//   aud = the token URL, exp at most 5 minutes ahead, a unique jti); the access token is cached
//   until 30 seconds before it expires, and a 401 from the partner mints a new one.
// Secrets never appear in messages.
//
// SmartTokenSource is thread-safe (its cache is guarded); the providers it makes may be called
// from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>

#include "fhir/status.h"
#include "gateway/config/sync_config.h"

namespace duet::gateway {

// Posts a form body to a token URL: the HTTP status and body of the answer.
using TokenEndpointCall = std::function<StatusOr<std::pair<int, std::string>>(
    const std::string& url, const std::string& form_body)>;
// Seconds since the epoch.
using Clock = std::function<int64_t()>;
int64_t SystemClockSeconds();

// The "Authorization" header value for the next request; `refresh` after a 401.
using AuthorizationProvider = std::function<StatusOr<std::string>(bool refresh)>;

class SmartTokenSource {
 public:
  SmartTokenSource(EndpointConfig::Auth auth, TokenEndpointCall call,
                   Clock clock = SystemClockSeconds);

  StatusOr<std::string> Authorization(bool refresh);
  // A new signed client assertion for `now` (seconds since the epoch).
  StatusOr<std::string> NewAssertion(int64_t now) const;

 private:
  StatusOr<std::string> RequestToken(int64_t now);

  EndpointConfig::Auth auth_;
  TokenEndpointCall call_;
  Clock clock_;
  std::mutex mutex_;
  std::string token_;
  int64_t expires_at_ = 0;
};

// The provider for an endpoint; empty for method "none". `call` is used by "smart" only.
AuthorizationProvider MakeAuthorizationProvider(const EndpointConfig& endpoint,
                                                TokenEndpointCall call);

}  // namespace duet::gateway
