#include "gateway/server/gateway_metrics.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "gateway/server/route_template.h"
#include "gateway/telemetry/log_fields.h"

namespace duet::gateway {
namespace {

double EpochSeconds(std::chrono::system_clock::time_point time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

// Request durations from half a millisecond (a cached read) to ten seconds (a large transaction).
std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace

GatewayMetrics::GatewayMetrics()
    : http_requests(registry_.AddCounter("duet_http_requests_total",
                                         "HTTP requests answered, by route template, method and "
                                         "status.",
                                         {"route", "method", "status"})),
      http_duration(registry_.AddHistogram(
          "duet_http_request_duration_seconds",
          "Time from a request's headers to its answer being sent, by route template.", {"route"},
          LatencyBuckets())),
      http_in_flight(registry_.AddGauge("duet_http_requests_in_flight",
                                        "HTTP requests received and not yet answered.")),
      sync_runs(registry_.AddCounter("duet_sync_runs_total",
                                     "Sync job runs, by job and outcome (ok, partial, failed).",
                                     {"job", "outcome"})),
      sync_items(registry_.AddCounter(
          "duet_sync_items_total", "Sync work items, by job and outcome (sent, received, failed).",
          {"job", "outcome"})),
      sync_dead_letters(registry_.AddGauge(
          "duet_sync_dead_letters", "Outbox items given up on (dead letters), by job.", {"job"})),
      sync_pending(registry_.AddGauge("duet_sync_outbox_pending",
                                      "Outbox items waiting to be sent, by job.", {"job"})),
      tokens_issued(registry_.AddCounter("duet_auth_tokens_issued_total",
                                         "Access tokens issued by /auth/token.")),
      tokens_refused(registry_.AddCounter("duet_auth_tokens_refused_total",
                                          "Token requests refused by /auth/token, by OAuth2 error.",
                                          {"error"})),
      certificate_expiry(registry_.AddGauge(
          "duet_tls_certificate_expiry_timestamp_seconds",
          "When the server's TLS certificate expires (notAfter), in seconds since the epoch.")),
      partner_certificate_expiry(registry_.AddGauge(
          "duet_partner_certificate_expiry_timestamp_seconds",
          "When a partner endpoint's TLS server certificate expires (notAfter), in seconds since "
          "the epoch, as its last connection test saw it; by endpoint.",
          {"endpoint"})),
      process_start(registry_.AddGauge("process_start_time_seconds",
                                       "Start time of the process since the epoch, in seconds.")),
      build_info(registry_.AddGauge("duet_build_info", "The running build; the value is 1.",
                                    {"version"})) {}

void GatewayMetrics::SetBuildInfo(const std::string& version) {
  build_info.WithLabels({version}).Set(1);
}

void GatewayMetrics::SetProcessStart(std::chrono::system_clock::time_point started) {
  process_start.Get().Set(EpochSeconds(started));
}

void GatewayMetrics::SetCertificateExpiry(std::chrono::system_clock::time_point not_after) {
  certificate_expiry.Get().Set(EpochSeconds(not_after));
}

void GatewayMetrics::CountTokenAnswer(std::string_view error) {
  if (error.empty()) {
    tokens_issued.Get().Increment();
  } else {
    tokens_refused.WithLabels({error}).Increment();
  }
}

void GatewayMetrics::CountSyncRun(const std::string& job, const std::string& outcome, int64_t sent,
                                  int64_t received, int64_t failed) {
  sync_runs.WithLabels({job, outcome}).Increment();
  // Every job reports its three counts, so each series exists from the first run on.
  sync_items.WithLabels({job, "sent"}).Increment(static_cast<uint64_t>(std::max<int64_t>(sent, 0)));
  sync_items.WithLabels({job, "received"})
      .Increment(static_cast<uint64_t>(std::max<int64_t>(received, 0)));
  sync_items.WithLabels({job, "failed"})
      .Increment(static_cast<uint64_t>(std::max<int64_t>(failed, 0)));
}

HttpTelemetry::HttpTelemetry(std::shared_ptr<GatewayMetrics> metrics)
    : metrics_(std::move(metrics)), in_flight_(metrics_->http_in_flight.Get()) {}

void HttpTelemetry::OnStarted() { in_flight_.Add(1); }

void HttpTelemetry::OnFinished(const FinishedRequest& request) {
  in_flight_.Add(-1);
  const std::string route = RouteTemplate(request.path);
  const std::string_view method = MethodLabel(request.method);
  const std::string status = std::to_string(request.status);
  const double seconds = std::chrono::duration<double>(request.duration).count();
  metrics_->http_requests.WithLabels({route, method, status}).Increment();
  metrics_->http_duration.WithLabels({route}).Observe(seconds);
  if (!spdlog::should_log(spdlog::level::info)) return;
  std::vector<LogField> access;
  const std::vector<LogField>& scoped = CurrentLogFields();
  // The request's own scope is in force when its answer ends on the handler's thread.
  if (std::none_of(scoped.begin(), scoped.end(),
                   [](const LogField& field) { return field.name == "request_id"; })) {
    access.push_back(LogField::String("request_id", std::string(request.request_id)));
  }
  access.push_back(LogField::String("method", std::string(method)));
  access.push_back(LogField::String("route", route));
  access.push_back(LogField::Number("status", int64_t{request.status}));
  access.push_back(LogField::Number("duration_ms", seconds * 1000.0));
  access.push_back(LogField::Number("bytes", static_cast<int64_t>(request.response_bytes)));
  ScopedLogFields fields(std::move(access));
  spdlog::info("http request");
}

}  // namespace duet::gateway
