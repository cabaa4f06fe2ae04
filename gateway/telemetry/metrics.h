// Metrics the gateway exposes at /metrics: counters, gauges and histograms with fixed buckets,
// grouped in labelled families, kept in a MetricsRegistry and read out as plain snapshots that
// prometheus_text.h writes in the Prometheus text format.
//
// Updating a metric is cheap and thread-safe (relaxed atomics); finding a family's child by its
// label values takes a shared lock and one map lookup, and the first use of a label set takes the
// exclusive lock once. Families are created before serving and live as long as the registry;
// references to families and children stay valid until then. Label values must come from a
// bounded set (route templates, job names, status codes), never from request data as sent.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::gateway {

class Counter {
 public:
  void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Counts observations into fixed upper bounds (ascending) plus +Inf, and keeps their sum.
class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  void Observe(double value);

  struct Reading {
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (which equals count)
    double sum = 0;
    uint64_t count = 0;
  };
  Reading Read() const;

 private:
  const std::vector<double>& bounds_;                 // the family's, which outlives this
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// One sample line of a snapshot: name suffix ("", "_bucket", "_sum", "_count"), labels, value.
struct MetricSample {
  std::string suffix;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

struct MetricFamilySnapshot {
  std::string name;
  std::string help;
  std::string type;  // "counter", "gauge" or "histogram"
  std::vector<MetricSample> samples;
};

// A named metric with label names; one child per distinct list of label values.
template <typename Metric>
class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names,
               std::vector<double> bounds = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        bounds_(std::move(bounds)) {}
  MetricFamily(const MetricFamily&) = delete;
  MetricFamily& operator=(const MetricFamily&) = delete;

  // The child for these label values (as many as label names; missing ones are "").
  Metric& WithLabels(std::initializer_list<std::string_view> values) {
    std::string key;
    for (std::string_view value : values) {
      key.append(value);
      key.push_back('\x1f');
    }
    {
      std::shared_lock<std::shared_mutex> lock(mutex_);
      auto found = children_.find(key);
      if (found != children_.end()) return found->second->metric;
    }
    std::unique_lock<std::shared_mutex> lock(mutex_);
    auto& child = children_[key];
    if (child == nullptr) {
      std::vector<std::string> labels(values.begin(), values.end());
      labels.resize(label_names_.size());
      child = std::make_unique<Child>(std::move(labels), bounds_);
    }
    return child->metric;
  }
  Metric& Get() { return WithLabels({}); }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  const std::vector<double>& bounds() const { return bounds_; }

  // Calls `visit(label_values, metric)` for every child, ordered by label values.
  template <typename Visit>
  void ForEach(Visit visit) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    for (const auto& [key, child] : children_) visit(child->labels, child->metric);
  }

 private:
  struct Child {
    Child(std::vector<std::string> label_values, const std::vector<double>& bounds)
        : labels(std::move(label_values)), metric(MakeMetric(bounds)) {}
    static Metric MakeMetric(const std::vector<double>& bounds) {
      if constexpr (std::is_same_v<Metric, Histogram>) {
        return Metric(bounds);
      } else {
        (void)bounds;
        return Metric();
      }
    }
    std::vector<std::string> labels;
    Metric metric;
  };

  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::unique_ptr<Child>> children_;
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;

// Owns the families. Add families and collectors at start (from one thread); afterwards any
// thread may update metrics and call Collect() concurrently.
class MetricsRegistry {
 public:
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
  // `bounds`: the buckets' upper bounds, ascending, without +Inf.
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names, std::vector<double> bounds);

  // A function that refreshes gauges whose values live elsewhere (a count in the store); called
  // at the start of every Collect(), on the collecting thread.
  void AddCollector(std::function<void()> refresh);

  // Every family in the order added, children ordered by label values. Counters and gauges that
  // have no labels report 0 before their first update.
  std::vector<MetricFamilySnapshot> Collect() const;

 private:
  struct Entry {
    std::string type;
    std::unique_ptr<CounterFamily> counter;
    std::unique_ptr<GaugeFamily> gauge;
    std::unique_ptr<HistogramFamily> histogram;
  };
  mutable std::mutex mutex_;  // guards the lists, and runs collectors one scrape at a time
  std::vector<Entry> families_;
  std::vector<std::function<void()>> collectors_;
};

}  // namespace duet::gateway
