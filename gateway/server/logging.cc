#include "gateway/server/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

namespace duet::gateway {

void InitializeLogging() {
  auto logger = spdlog::get("duet");
  if (logger == nullptr) logger = spdlog::stderr_logger_mt("duet");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z [%l] %v");
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

}  // namespace duet::gateway
