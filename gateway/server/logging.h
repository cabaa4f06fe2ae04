// Process-wide logging set-up: spdlog's default logger writes one line per event to stderr
// ("2026-11-27T06:39:22.123+00:00 [info] message"). Call from main before starting threads;
// logging itself is thread-safe afterwards.
#pragma once

#include <string_view>

#include "fhir/status.h"

namespace duet::gateway {

// Installs the stderr logger at "info".
void InitializeLogging();

// Sets the level by name: trace, debug, info, warn, error, critical, off.
Status SetLogLevel(std::string_view level);

}  // namespace duet::gateway
