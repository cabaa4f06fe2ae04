// HealthHandler: answers GET/HEAD /healthz with 200 {"status":"ok"} while the process serves
// requests (liveness). Stateless; any thread may call it.
#pragma once

#include "gateway/http/http_types.h"

namespace duet::gateway {

class HealthHandler final : public HttpHandler {
 public:
  HttpResponse Handle(const HttpRequest& request) override;
};

}  // namespace duet::gateway
