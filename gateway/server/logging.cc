#include "gateway/server/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "fhir/search/date_range.h"
#include "gateway/telemetry/log_fields.h"

namespace duet::gateway {
namespace {

constexpr char kTextPattern[] = "%Y-%m-%dT%H:%M:%S.%e%z [%l] %v";

void Append(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.append(text.data(), text.data() + text.size());
}

// One JSON object a line: timestamp (UTC, milliseconds), level, message, then the scoped fields.
class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line;
    line.reserve(128 + msg.payload.size());
    line += "{\"timestamp\":\"";
    line += fhir::FormatInstantMillis(
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count());
    line += "\",\"level\":\"";
    spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
    line.append(level.data(), level.size());
    line += "\",\"message\":\"";
    AppendJsonEscaped(std::string_view(msg.payload.data(), msg.payload.size()), line);
    line += '"';
    for (const LogField& field : CurrentLogFields()) {
      line += ",\"";
      AppendJsonEscaped(field.name, line);
      line += "\":";
      if (field.quoted) {
        line += '"';
        AppendJsonEscaped(field.value, line);
        line += '"';
      } else {
        line += field.value;
      }
    }
    line += "}\n";
    Append(dest, line);
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLogFormatter>();
  }
};

// spdlog's text pattern, then the scoped fields as name=value.
class TextLogFormatter final : public spdlog::formatter {
 public:
  TextLogFormatter()
      : pattern_(kTextPattern, spdlog::pattern_time_type::local, /*eol=*/std::string()) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    pattern_.format(msg, dest);
    for (const LogField& field : CurrentLogFields()) {
      std::string pair = " " + field.name + "=" + field.value;
      Append(dest, pair);
    }
    Append(dest, "\n");
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextLogFormatter>();
  }

 private:
  spdlog::pattern_formatter pattern_;
};

}  // namespace

void AppendJsonEscaped(std::string_view text, std::string& out) {
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned char>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
}

void InitializeLogging() {
  auto logger = spdlog::get("duet");
  if (logger == nullptr) logger = spdlog::stderr_logger_mt("duet");
  logger->set_formatter(std::make_unique<TextLogFormatter>());
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::info);
}

Status SetLogLevel(std::string_view level) {
  spdlog::level::level_enum parsed = spdlog::level::from_str(std::string(level));
  // from_str answers "off" for names it does not know.
  if (parsed == spdlog::level::off && level != "off") {
    return InvalidArgumentError("unknown log level \"" + std::string(level) + "\"");
  }
  spdlog::set_level(parsed);
  return Status::Ok();
}

Status SetLogFormat(std::string_view format) {
  if (format == "json") {
    spdlog::default_logger()->set_formatter(std::make_unique<JsonLogFormatter>());
  } else if (format == "text") {
    spdlog::default_logger()->set_formatter(std::make_unique<TextLogFormatter>());
  } else {
    return InvalidArgumentError("unknown log format \"" + std::string(format) + "\"");
  }
  return Status::Ok();
}

}  // namespace duet::gateway
