// HealthHandler: answers GET/HEAD /healthz with 200 {"status":"ok"} while the process serves
// requests (liveness). Stateless; any thread may call it.
#pragma once

#include <optional>
#include <string_view>

#include "gateway/http/http_types.h"

namespace duet::gateway {

class HealthHandler final : public HttpHandler {
 public:
  HttpResponse Handle(const HttpRequest& request) override;
};

// For the open operational routes (/healthz, /readyz, /metrics): the JSON 404 for a path other
// than `path`, or 405 for a method other than GET and HEAD; nullopt when the request is one to
// answer. The answer is marked Cache-Control: no-store.
std::optional<HttpResponse> RefuseUnlessGetOrHead(const HttpRequest& request,
                                                  std::string_view path);

}  // namespace duet::gateway
