// Process-wide logging set-up: spdlog's default logger writes one line per event to stderr,
// either as one JSON object a line (`log.format` "json", the default of `duet serve`):
//   {"timestamp":"2026-11-27T06:39:22.123Z","level":"info","message":"...","request_id":"..."}
// or as text ("text", the default of the other commands):
//   2026-11-27T06:39:22.123+00:00 [info] message request_id=...
// Both carry the fields of telemetry/log_fields.h in force on the logging thread. Call from main
// before starting threads; logging itself is thread-safe afterwards.
#pragma once

#include <string_view>

#include "fhir/status.h"

namespace duet::gateway {

// Installs the stderr logger at "info", in text.
void InitializeLogging();

// Sets the level by name: trace, debug, info, warn, error, critical, off.
Status SetLogLevel(std::string_view level);

// Sets the line format: "json" or "text".
Status SetLogFormat(std::string_view format);

// `text` as the contents of a JSON string (quotes, backslashes and control characters escaped).
void AppendJsonEscaped(std::string_view text, std::string& out);

}  // namespace duet::gateway
