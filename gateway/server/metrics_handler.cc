#include "gateway/server/metrics_handler.h"

#include <utility>

#include "gateway/server/health_handler.h"
#include "gateway/telemetry/prometheus_text.h"

namespace duet::gateway {

MetricsHandler::MetricsHandler(std::shared_ptr<GatewayMetrics> metrics)
    : metrics_(std::move(metrics)) {}

HttpResponse MetricsHandler::Handle(const HttpRequest& request) {
  if (auto refused = RefuseUnlessGetOrHead(request, "/metrics")) return *refused;
  HttpResponse response;
  response.headers.Set("Cache-Control", "no-store");
  response.headers.Set("Content-Type", kPrometheusTextContentType);
  response.body = WritePrometheusText(metrics_->registry().Collect());
  return response;
}

}  // namespace duet::gateway
