// RequestObserver: what the HTTP server tells about every request it receives, so that metrics
// and the access log live outside the adapter. Implementations must be cheap and thread-safe:
// the server calls them from its worker threads concurrently, on every request.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

namespace duet::gateway {

struct FinishedRequest {
  std::string_view request_id;  // as sent back in X-Request-Id
  std::string_view method;
  std::string_view path;  // decoded, without the query string
  int status = 0;         // 0 when no answer could be sent
  size_t response_bytes = 0;
  std::chrono::nanoseconds duration{0};  // from the request's headers to its answer being sent
};

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // A request arrived (its headers are read).
  virtual void OnStarted() = 0;
  // Its answer was sent (or the connection failed); once per OnStarted.
  virtual void OnFinished(const FinishedRequest& request) = 0;
};

}  // namespace duet::gateway
