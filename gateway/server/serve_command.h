// `duet serve --config FILE`: loads the configuration and TLS material, mounts the handlers,
// serves HTTPS until SIGTERM or SIGINT, then stops accepting, lets in-flight requests finish and
// closes the store. Logs to stderr with spdlog.
#pragma once

#include <string>

namespace duet::gateway {

// Returns the process exit code: 0 after a clean stop, 1 when start-up or serving failed.
// Call from main's thread before any other thread has started (it sets the signal mask).
int RunServeCommand(const std::string& config_path);

}  // namespace duet::gateway
