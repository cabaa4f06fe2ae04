#include "gateway/http/rate_limit_gate.h"

#include <utility>

namespace duet::gateway {

RateLimitGate::RateLimitGate(std::shared_ptr<HttpHandler> inner,
                             std::shared_ptr<RateLimiter> limiter, ClientKey client_key,
                             Clock clock)
    : inner_(std::move(inner)),
      limiter_(std::move(limiter)),
      client_key_(std::move(client_key)),
      clock_(std::move(clock)) {}

HttpResponse RateLimitGate::Handle(const HttpRequest& request) {
  if (request.path == "/healthz") return inner_->Handle(request);
  int64_t retry_after = limiter_->Acquire(client_key_(request), clock_());
  if (retry_after == 0) return inner_->Handle(request);
  HttpResponse response = inner_->Failure(
      429, request.path,
      "too many requests from this client; try again in " + std::to_string(retry_after) + " s");
  response.headers.Set("Retry-After", std::to_string(retry_after));
  return response;
}

HttpResponse RateLimitGate::Failure(int status, const std::string& path,
                                    const std::string& message) const {
  return inner_->Failure(status, path, message);
}

}  // namespace duet::gateway
