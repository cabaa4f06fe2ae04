#include "gateway/telemetry/metrics.h"

#include <algorithm>

#include "gateway/telemetry/prometheus_text.h"

namespace duet::gateway {
namespace {

void AddDouble(std::atomic<double>& target, double delta) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + delta, std::memory_order_relaxed)) {
  }
}

std::vector<std::pair<std::string, std::string>> Labels(const std::vector<std::string>& names,
                                                        const std::vector<std::string>& values) {
  std::vector<std::pair<std::string, std::string>> labels;
  labels.reserve(names.size() + 1);
  for (size_t i = 0; i < names.size(); ++i) labels.emplace_back(names[i], values[i]);
  return labels;
}

template <typename Metric>
MetricFamilySnapshot SnapshotOf(const MetricFamily<Metric>& family, const char* type) {
  MetricFamilySnapshot snapshot{family.name(), family.help(), type, {}};
  family.ForEach([&](const std::vector<std::string>& values, const Metric& metric) {
    auto labels = Labels(family.label_names(), values);
    if constexpr (std::is_same_v<Metric, Histogram>) {
      Histogram::Reading reading = metric.Read();
      const std::vector<double>& bounds = family.bounds();
      for (size_t i = 0; i <= bounds.size(); ++i) {
        auto bucket_labels = labels;
        // The writer formats the bound; +Inf is the last bucket.
        bucket_labels.emplace_back("le", i < bounds.size() ? FormatMetricValue(bounds[i]) : "+Inf");
        snapshot.samples.push_back(
            {"_bucket", std::move(bucket_labels), static_cast<double>(reading.cumulative[i])});
      }
      snapshot.samples.push_back({"_sum", labels, reading.sum});
      snapshot.samples.push_back({"_count", std::move(labels), static_cast<double>(reading.count)});
    } else {
      snapshot.samples.push_back({"", std::move(labels), static_cast<double>(metric.value())});
    }
  });
  return snapshot;
}

}  // namespace

void Gauge::Add(double delta) { AddDouble(value_, delta); }

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  // The first bound not below the value ("le" is inclusive); past the last one, +Inf.
  size_t index = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                     bounds_.begin());
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  AddDouble(sum_, value);
}

Histogram::Reading Histogram::Read() const {
  Reading reading;
  reading.cumulative.reserve(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    reading.count += buckets_[i].load(std::memory_order_relaxed);
    reading.cumulative.push_back(reading.count);
  }
  reading.sum = sum_.load(std::memory_order_relaxed);
  return reading;
}

CounterFamily& MetricsRegistry::AddCounter(std::string name, std::string help,
                                           std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mutex_);
  Entry entry{
      "counter",
      std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(label_names)),
      nullptr, nullptr};
  if (entry.counter->label_names().empty()) entry.counter->Get();
  families_.push_back(std::move(entry));
  return *families_.back().counter;
}

GaugeFamily& MetricsRegistry::AddGauge(std::string name, std::string help,
                                       std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mutex_);
  Entry entry{
      "gauge", nullptr,
      std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(label_names)),
      nullptr};
  if (entry.gauge->label_names().empty()) entry.gauge->Get();
  families_.push_back(std::move(entry));
  return *families_.back().gauge;
}

HistogramFamily& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                               std::vector<std::string> label_names,
                                               std::vector<double> bounds) {
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  std::lock_guard<std::mutex> lock(mutex_);
  families_.push_back(
      {"histogram", nullptr, nullptr,
       std::make_unique<HistogramFamily>(std::move(name), std::move(help), std::move(label_names),
                                         std::move(bounds))});
  return *families_.back().histogram;
}

void MetricsRegistry::AddCollector(std::function<void()> refresh) {
  std::lock_guard<std::mutex> lock(mutex_);
  collectors_.push_back(std::move(refresh));
}

std::vector<MetricFamilySnapshot> MetricsRegistry::Collect() const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& refresh : collectors_) refresh();
  std::vector<MetricFamilySnapshot> snapshots;
  snapshots.reserve(families_.size());
  for (const Entry& entry : families_) {
    if (entry.counter) snapshots.push_back(SnapshotOf(*entry.counter, "counter"));
    if (entry.gauge) snapshots.push_back(SnapshotOf(*entry.gauge, "gauge"));
    if (entry.histogram) snapshots.push_back(SnapshotOf(*entry.histogram, "histogram"));
  }
  return snapshots;
}

}  // namespace duet::gateway
