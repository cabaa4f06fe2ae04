// The Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): `# HELP` and `# TYPE` lines
// before each family's samples, label values escaped, histograms as `_bucket{le="..."}` (ending
// with le="+Inf"), `_sum` and `_count`. Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/telemetry/metrics.h"

namespace duet::gateway {

// The Content-Type of the text format.
inline constexpr char kPrometheusTextContentType[] = "text/plain; version=0.0.4; charset=utf-8";

std::string WritePrometheusText(const std::vector<MetricFamilySnapshot>& families);

// A sample value or bucket bound: integers without a fraction ("3"), others in the shortest form
// that reads back exactly ("0.005"), and "+Inf", "-Inf", "NaN".
std::string FormatMetricValue(double value);

// A label value with '\\', '"' and line feeds escaped.
std::string EscapeLabelValue(std::string_view value);
// HELP text with '\\' and line feeds escaped.
std::string EscapeHelp(std::string_view text);

}  // namespace duet::gateway
