// GatewayMetrics: the metrics `duet serve` exposes at /metrics (docs/admin-guide.md lists them),
// owned together with their registry. Created once at start and shared (std::shared_ptr) by the
// HTTP observer, the sync runner's observer, the token endpoint and the /metrics handler, so it
// outlives every request; any thread may update and collect.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/http/request_observer.h"
#include "gateway/telemetry/metrics.h"

namespace duet::gateway {

class GatewayMetrics {
 public:
  GatewayMetrics();
  GatewayMetrics(const GatewayMetrics&) = delete;
  GatewayMetrics& operator=(const GatewayMetrics&) = delete;

  MetricsRegistry& registry() { return registry_; }

  // Process facts, set once at start.
  void SetBuildInfo(const std::string& version);
  void SetProcessStart(std::chrono::system_clock::time_point started);
  void SetCertificateExpiry(std::chrono::system_clock::time_point not_after);

  // One answered token request: "" when a token was issued, else the OAuth2 error code.
  void CountTokenAnswer(std::string_view error);
  // One sync run's counts (JobRun fields) and its outcome: "ok", "partial" or "failed".
  void CountSyncRun(const std::string& job, const std::string& outcome, int64_t sent,
                    int64_t received, int64_t failed);

 private:
  MetricsRegistry registry_;  // first: the families below live in it

 public:
  CounterFamily& http_requests;     // duet_http_requests_total{route,method,status}
  HistogramFamily& http_duration;   // duet_http_request_duration_seconds{route}
  GaugeFamily& http_in_flight;      // duet_http_requests_in_flight
  CounterFamily& sync_runs;         // duet_sync_runs_total{job,outcome}
  CounterFamily& sync_items;        // duet_sync_items_total{job,outcome}
  GaugeFamily& sync_dead_letters;   // duet_sync_dead_letters{job}
  GaugeFamily& sync_pending;        // duet_sync_outbox_pending{job}
  CounterFamily& tokens_issued;     // duet_auth_tokens_issued_total
  CounterFamily& tokens_refused;    // duet_auth_tokens_refused_total{error}
  GaugeFamily& certificate_expiry;  // duet_tls_certificate_expiry_timestamp_seconds
  // duet_partner_certificate_expiry_timestamp_seconds{endpoint}, from the last connection test
  GaugeFamily& partner_certificate_expiry;
  GaugeFamily& process_start;  // process_start_time_seconds
  GaugeFamily& build_info;     // duet_build_info{version}
};

// The RequestObserver of `duet serve`: counts each request by route template, method and status,
// times it by route, and writes one access log line (info) with the request id, method, route,
// status, duration and response size: never the path's ids, the query string or a body.
class HttpTelemetry final : public RequestObserver {
 public:
  explicit HttpTelemetry(std::shared_ptr<GatewayMetrics> metrics);
  void OnStarted() override;
  void OnFinished(const FinishedRequest& request) override;

 private:
  std::shared_ptr<GatewayMetrics> metrics_;
  Gauge& in_flight_;
};

}  // namespace duet::gateway
