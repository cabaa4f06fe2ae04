// MetricsHandler: answers GET/HEAD /metrics with every metric of the registry in the Prometheus
// text format (telemetry/prometheus_text.h). Open like /healthz: metrics carry counts, route
// templates, job names and timestamps, never patient data or secrets. Shares the registry's
// owner; any thread may call it.
#pragma once

#include <memory>

#include "gateway/http/http_types.h"
#include "gateway/server/gateway_metrics.h"

namespace duet::gateway {

class MetricsHandler final : public HttpHandler {
 public:
  explicit MetricsHandler(std::shared_ptr<GatewayMetrics> metrics);
  HttpResponse Handle(const HttpRequest& request) override;

 private:
  std::shared_ptr<GatewayMetrics> metrics_;
};

}  // namespace duet::gateway
