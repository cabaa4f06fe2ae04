#include "gateway/server/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "gateway/server/gateway_metrics.h"
#include "gateway/telemetry/log_fields.h"
#include "tests/support/captured_log.h"

namespace duet::gateway {
namespace {

using test::CapturedLog;

TEST(LoggingTest, JsonLinesCarryLevelMessageAndScopedFields) {
  CapturedLog log;
  ASSERT_TRUE(SetLogFormat("json").ok());
  {
    ScopedLogFields fields(
        {LogField::String("request_id", "abc-1"), LogField::Number("status", int64_t{201})});
    spdlog::warn("a \"quoted\" message\nwith a line feed");
  }
  spdlog::info("outside");
  std::vector<std::string> lines = log.Lines();
  ASSERT_EQ(lines.size(), 2u);
  auto first = fhir::ParseJson(lines[0]);
  ASSERT_TRUE(first.ok()) << lines[0];
  EXPECT_EQ(first->Find("level")->string_value(), "warning");
  EXPECT_EQ(first->Find("message")->string_value(), "a \"quoted\" message\nwith a line feed");
  EXPECT_EQ(first->Find("request_id")->string_value(), "abc-1");
  EXPECT_EQ(fhir::WriteJson(*first->Find("status")), "201");
  const std::string& timestamp = first->Find("timestamp")->string_value();
  EXPECT_EQ(timestamp.size(), 24u) << timestamp;  // 2026-11-27T06:39:22.123Z
  EXPECT_EQ(timestamp.back(), 'Z');
  auto second = fhir::ParseJson(lines[1]);
  ASSERT_TRUE(second.ok()) << lines[1];
  EXPECT_EQ(second->Find("request_id"), nullptr);
}

TEST(LoggingTest, TextLinesAppendFields) {
  CapturedLog log;
  ASSERT_TRUE(SetLogFormat("text").ok());
  {
    ScopedLogFields fields({LogField::String("request_id", "abc-2")});
    spdlog::info("hello");
  }
  std::vector<std::string> lines = log.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("[info] hello request_id=abc-2"), std::string::npos) << lines[0];
}

TEST(LoggingTest, UnknownFormatIsRefused) {
  CapturedLog log;
  EXPECT_EQ(SetLogFormat("xml").code(), StatusCode::kInvalidArgument);
}

TEST(LoggingTest, EscapesControlCharacters) {
  std::string out;
  AppendJsonEscaped(std::string("a\x01"
                                "b\\c\t",
                                6),
                    out);
  EXPECT_EQ(out, "a\\u0001b\\\\c\\t");
}

TEST(HttpTelemetryTest, CountsTimesAndLogsEachRequestWithoutItsPath) {
  CapturedLog log;
  ASSERT_TRUE(SetLogFormat("json").ok());
  auto metrics = std::make_shared<GatewayMetrics>();
  HttpTelemetry telemetry(metrics);
  FinishedRequest request;
  request.request_id = "req-7";
  request.method = "GET";
  request.path = "/fhir/Patient/pt-004512";
  request.status = 200;
  request.response_bytes = 1234;
  request.duration = std::chrono::milliseconds(3);
  telemetry.OnStarted();
  telemetry.OnStarted();
  telemetry.OnFinished(request);
  EXPECT_EQ(metrics->http_requests.WithLabels({"/fhir/{type}/{id}", "GET", "200"}).value(), 1u);
  Histogram::Reading latency = metrics->http_duration.WithLabels({"/fhir/{type}/{id}"}).Read();
  EXPECT_EQ(latency.count, 1u);
  EXPECT_DOUBLE_EQ(latency.sum, 0.003);
  EXPECT_EQ(metrics->http_in_flight.Get().value(), 1);

  std::vector<std::string> lines = log.Lines();
  ASSERT_EQ(lines.size(), 1u);
  auto line = fhir::ParseJson(lines[0]);
  ASSERT_TRUE(line.ok()) << lines[0];
  EXPECT_EQ(line->Find("message")->string_value(), "http request");
  EXPECT_EQ(line->Find("request_id")->string_value(), "req-7");
  EXPECT_EQ(line->Find("method")->string_value(), "GET");
  EXPECT_EQ(line->Find("route")->string_value(), "/fhir/{type}/{id}");
  EXPECT_EQ(fhir::WriteJson(*line->Find("status")), "200");
  EXPECT_EQ(fhir::WriteJson(*line->Find("duration_ms")), "3.000");
  EXPECT_EQ(fhir::WriteJson(*line->Find("bytes")), "1234");
  EXPECT_EQ(lines[0].find("pt-004512"), std::string::npos);
}

TEST(HttpTelemetryTest, NoAccessLineBelowInfo) {
  CapturedLog log;
  spdlog::set_level(spdlog::level::warn);
  auto metrics = std::make_shared<GatewayMetrics>();
  HttpTelemetry telemetry(metrics);
  FinishedRequest request;
  request.method = "GET";
  request.path = "/healthz";
  request.status = 200;
  telemetry.OnStarted();
  telemetry.OnFinished(request);
  EXPECT_TRUE(log.Lines().empty());
  EXPECT_EQ(metrics->http_requests.WithLabels({"/healthz", "GET", "200"}).value(), 1u);
  spdlog::set_level(spdlog::level::info);
}

TEST(GatewayMetricsTest, CountsTokensAndSyncRuns) {
  GatewayMetrics metrics;
  metrics.CountTokenAnswer("");
  metrics.CountTokenAnswer("");
  metrics.CountTokenAnswer("invalid_client");
  metrics.CountSyncRun("push-evim", "partial", 3, 0, 1);
  metrics.CountSyncRun("push-evim", "ok", 2, 0, 0);
  EXPECT_EQ(metrics.tokens_issued.Get().value(), 2u);
  EXPECT_EQ(metrics.tokens_refused.WithLabels({"invalid_client"}).value(), 1u);
  EXPECT_EQ(metrics.sync_items.WithLabels({"push-evim", "sent"}).value(), 5u);
  EXPECT_EQ(metrics.sync_items.WithLabels({"push-evim", "failed"}).value(), 1u);
  EXPECT_EQ(metrics.sync_runs.WithLabels({"push-evim", "partial"}).value(), 1u);
  EXPECT_EQ(metrics.sync_runs.WithLabels({"push-evim", "ok"}).value(), 1u);
}

}  // namespace
}  // namespace duet::gateway
