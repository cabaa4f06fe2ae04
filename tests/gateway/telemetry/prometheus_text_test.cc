#include "gateway/telemetry/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace duet::gateway {
namespace {

TEST(PrometheusTextTest, WritesHelpTypeAndSamples) {
  MetricsRegistry registry;
  registry.AddCounter("duet_requests_total", "Requests answered.", {"route", "status"})
      .WithLabels({"/fhir/{type}", "200"})
      .Increment(3);
  registry.AddGauge("duet_up", "Whether it is up.").Get().Set(1);
  EXPECT_EQ(WritePrometheusText(registry.Collect()),
            "# HELP duet_requests_total Requests answered.\n"
            "# TYPE duet_requests_total counter\n"
            "duet_requests_total{route=\"/fhir/{type}\",status=\"200\"} 3\n"
            "# HELP duet_up Whether it is up.\n"
            "# TYPE duet_up gauge\n"
            "duet_up 1\n");
}

TEST(PrometheusTextTest, WritesHistogramsWithBucketsSumAndCount) {
  MetricsRegistry registry;
  HistogramFamily& latency =
      registry.AddHistogram("duet_seconds", "Latency.", {"route"}, {0.005, 0.25});
  latency.WithLabels({"/a"}).Observe(0.00390625);  // 2^-8: the sum is exact
  latency.WithLabels({"/a"}).Observe(0.25);
  latency.WithLabels({"/a"}).Observe(3);
  EXPECT_EQ(WritePrometheusText(registry.Collect()),
            "# HELP duet_seconds Latency.\n"
            "# TYPE duet_seconds histogram\n"
            "duet_seconds_bucket{route=\"/a\",le=\"0.005\"} 1\n"
            "duet_seconds_bucket{route=\"/a\",le=\"0.25\"} 2\n"
            "duet_seconds_bucket{route=\"/a\",le=\"+Inf\"} 3\n"
            "duet_seconds_sum{route=\"/a\"} 3.25390625\n"
            "duet_seconds_count{route=\"/a\"} 3\n");
}

TEST(PrometheusTextTest, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(EscapeHelp("line\\one\nline \"two\""), "line\\\\one\\nline \"two\"");
  MetricsRegistry registry;
  registry.AddGauge("g", "Help with\na newline.", {"job"}).WithLabels({"say \"hi\""}).Set(2);
  EXPECT_EQ(WritePrometheusText(registry.Collect()),
            "# HELP g Help with\\na newline.\n"
            "# TYPE g gauge\n"
            "g{job=\"say \\\"hi\\\"\"} 2\n");
}

TEST(PrometheusTextTest, FormatsValues) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(42), "42");
  EXPECT_EQ(FormatMetricValue(-3), "-3");
  EXPECT_EQ(FormatMetricValue(0.005), "0.005");
  EXPECT_EQ(FormatMetricValue(0.0005), "0.0005");
  EXPECT_EQ(FormatMetricValue(1795000000.5), "1795000000.5");
  EXPECT_EQ(FormatMetricValue(1e20), "1e+20");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::nan("")), "NaN");
}

}  // namespace
}  // namespace duet::gateway
