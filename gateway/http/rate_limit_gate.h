// RateLimitGate: limits each client's request rate in front of the router. Each request is
// charged to the key its ClientKey function names (the SMART client, the practice, or the remote
// address: see gateway/auth/rate_limit_key.h); a client past its limit gets 429 with
// `Retry-After` (whole seconds) in the error format of the API it called (the mounted handler's
// Failure: an OperationOutcome on /fhir, an OAuth2 error on /auth/token). `/healthz` is never
// limited, so that a load balancer's probes cannot be starved by a busy client on its address.
//
// Shares the inner handler and the limiter. Handle() is called concurrently from the server's
// threads; the ClientKey function and clock must be safe to call from them too.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "gateway/http/http_types.h"
#include "gateway/http/rate_limiter.h"

namespace duet::gateway {

class RateLimitGate final : public HttpHandler {
 public:
  using ClientKey = std::function<std::string(const HttpRequest&)>;
  using Clock = std::function<RateLimiter::Clock::time_point()>;

  RateLimitGate(std::shared_ptr<HttpHandler> inner, std::shared_ptr<RateLimiter> limiter,
                ClientKey client_key, Clock clock);

  HttpResponse Handle(const HttpRequest& request) override;
  HttpResponse Failure(int status, const std::string& path,
                       const std::string& message) const override;

 private:
  std::shared_ptr<HttpHandler> inner_;
  std::shared_ptr<RateLimiter> limiter_;
  ClientKey client_key_;
  Clock clock_;
};

}  // namespace duet::gateway
