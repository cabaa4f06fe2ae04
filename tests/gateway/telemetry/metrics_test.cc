#include "gateway/telemetry/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace duet::gateway {
namespace {

const MetricFamilySnapshot* Find(const std::vector<MetricFamilySnapshot>& families,
                                 const std::string& name) {
  for (const auto& family : families) {
    if (family.name == name) return &family;
  }
  return nullptr;
}

TEST(MetricsTest, CountersCountPerLabelSet) {
  MetricsRegistry registry;
  CounterFamily& requests = registry.AddCounter("requests_total", "Requests.", {"route", "status"});
  requests.WithLabels({"/a", "200"}).Increment();
  requests.WithLabels({"/a", "200"}).Increment(2);
  requests.WithLabels({"/b", "404"}).Increment();
  EXPECT_EQ(requests.WithLabels({"/a", "200"}).value(), 3u);
  EXPECT_EQ(requests.WithLabels({"/b", "404"}).value(), 1u);
  EXPECT_EQ(requests.WithLabels({"/b", "200"}).value(), 0u);
}

TEST(MetricsTest, TheSameLabelsGiveTheSameChild) {
  MetricsRegistry registry;
  GaugeFamily& gauge = registry.AddGauge("g", "G.", {"job"});
  EXPECT_EQ(&gauge.WithLabels({"x"}), &gauge.WithLabels({"x"}));
  EXPECT_NE(&gauge.WithLabels({"x"}), &gauge.WithLabels({"y"}));
}

TEST(MetricsTest, GaugesSetAndAdd) {
  MetricsRegistry registry;
  Gauge& gauge = registry.AddGauge("g", "G.").Get();
  gauge.Set(5);
  gauge.Add(-1.5);
  EXPECT_DOUBLE_EQ(gauge.value(), 3.5);
}

TEST(MetricsTest, HistogramBucketsAreInclusiveAndCumulative) {
  MetricsRegistry registry;
  Histogram& histogram = registry.AddHistogram("h", "H.", {}, {0.1, 1, 10}).Get();
  for (double value : {0.05, 0.1, 0.5, 1.0, 7.0, 100.0}) histogram.Observe(value);
  Histogram::Reading reading = histogram.Read();
  EXPECT_EQ(reading.cumulative, (std::vector<uint64_t>{2, 4, 5, 6}));
  EXPECT_EQ(reading.count, 6u);
  EXPECT_DOUBLE_EQ(reading.sum, 108.65);
}

TEST(MetricsTest, UpdatesFromManyThreadsAreAllCounted) {
  MetricsRegistry registry;
  CounterFamily& counter = registry.AddCounter("c_total", "C.", {"route"});
  HistogramFamily& histogram = registry.AddHistogram("h", "H.", {"route"}, {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        std::string route = "/r" + std::to_string((t + i) % 4);
        counter.WithLabels({route}).Increment();
        histogram.WithLabels({route}).Observe(0.5);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  uint64_t total = 0;
  uint64_t observed = 0;
  for (int r = 0; r < 4; ++r) {
    std::string route = "/r" + std::to_string(r);
    total += counter.WithLabels({route}).value();
    observed += histogram.WithLabels({route}).Read().count;
  }
  EXPECT_EQ(total, 80000u);
  EXPECT_EQ(observed, 80000u);
}

TEST(MetricsTest, CollectListsFamiliesInOrderWithTheirSamples) {
  MetricsRegistry registry;
  registry.AddCounter("b_total", "B.").Get().Increment(4);
  GaugeFamily& gauge = registry.AddGauge("a", "A.", {"job"});
  gauge.WithLabels({"z"}).Set(1);
  gauge.WithLabels({"y"}).Set(2);
  registry.AddHistogram("h", "H.", {"route"}, {1, 2}).WithLabels({"/x"}).Observe(1.5);
  std::vector<MetricFamilySnapshot> families = registry.Collect();
  ASSERT_EQ(families.size(), 3u);
  EXPECT_EQ(families[0].name, "b_total");
  EXPECT_EQ(families[0].type, "counter");
  ASSERT_EQ(families[0].samples.size(), 1u);
  EXPECT_EQ(families[0].samples[0].value, 4);
  EXPECT_EQ(families[1].type, "gauge");
  ASSERT_EQ(families[1].samples.size(), 2u);
  EXPECT_EQ(families[1].samples[0].labels[0].second, "y");  // ordered by label values
  EXPECT_EQ(families[1].samples[1].labels[0].second, "z");
  const MetricFamilySnapshot* histogram = Find(families, "h");
  ASSERT_NE(histogram, nullptr);
  ASSERT_EQ(histogram->samples.size(), 5u);  // 3 buckets (with +Inf), sum, count
  EXPECT_EQ(histogram->samples[0].suffix, "_bucket");
  EXPECT_EQ(histogram->samples[0].labels.back(), (std::pair<std::string, std::string>("le", "1")));
  EXPECT_EQ(histogram->samples[0].value, 0);
  EXPECT_EQ(histogram->samples[1].value, 1);
  EXPECT_EQ(histogram->samples[2].labels.back().second, "+Inf");
  EXPECT_EQ(histogram->samples[3].suffix, "_sum");
  EXPECT_EQ(histogram->samples[3].value, 1.5);
  EXPECT_EQ(histogram->samples[4].suffix, "_count");
  EXPECT_EQ(histogram->samples[4].value, 1);
}

TEST(MetricsTest, CollectorsRunBeforeEachCollect) {
  MetricsRegistry registry;
  Gauge& gauge = registry.AddGauge("dead", "Dead letters.").Get();
  int calls = 0;
  registry.AddCollector([&] { gauge.Set(++calls * 10); });
  EXPECT_EQ(registry.Collect()[0].samples[0].value, 10);
  EXPECT_EQ(registry.Collect()[0].samples[0].value, 20);
}

TEST(MetricsTest, FamiliesWithoutLabelsReportZeroBeforeTheFirstUpdate) {
  MetricsRegistry registry;
  registry.AddCounter("tokens_total", "Tokens.");
  std::vector<MetricFamilySnapshot> families = registry.Collect();
  ASSERT_EQ(families[0].samples.size(), 1u);
  EXPECT_EQ(families[0].samples[0].value, 0);
  EXPECT_TRUE(families[0].samples[0].labels.empty());
}

}  // namespace
}  // namespace duet::gateway
