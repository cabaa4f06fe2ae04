#include "gateway/telemetry/prometheus_text.h"

#include <array>
#include <charconv>
#include <cmath>

namespace duet::gateway {

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buffer{};
  std::to_chars_result written{};
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    written =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), static_cast<long long>(value));
  } else if (std::fabs(value) >= 1e-4 && std::fabs(value) < 1e15) {
    // Plain decimals ("0.0005", not "5e-04") in the range metrics live in.
    written = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                            std::chars_format::fixed);
  } else {
    written = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  }
  return std::string(buffer.data(), written.ptr);
}

namespace {

// Backslashes and line feeds escaped, and double quotes too when `quotes`.
std::string Escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) { return Escape(value, /*quotes=*/true); }

std::string EscapeHelp(std::string_view text) { return Escape(text, /*quotes=*/false); }

std::string WritePrometheusText(const std::vector<MetricFamilySnapshot>& families) {
  std::string out;
  for (const MetricFamilySnapshot& family : families) {
    out += "# HELP " + family.name + " " + EscapeHelp(family.help) + "\n";
    out += "# TYPE " + family.name + " " + family.type + "\n";
    for (const MetricSample& sample : family.samples) {
      out += family.name;
      out += sample.suffix;
      if (!sample.labels.empty()) {
        out += '{';
        for (size_t i = 0; i < sample.labels.size(); ++i) {
          if (i > 0) out += ',';
          out += sample.labels[i].first;
          out += "=\"";
          out += EscapeLabelValue(sample.labels[i].second);
          out += '"';
        }
        out += '}';
      }
      out += ' ';
      out += FormatMetricValue(sample.value);
      out += '\n';
    }
  }
  return out;
}

}  // namespace duet::gateway
