#include "gateway/config/config_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gateway/config/gateway_config.h"

namespace duet::gateway {

using fhir::Json;

StatusOr<Json> ReadConfigJson(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFoundError("cannot read " + path);
  std::ostringstream text;
  text << file.rdbuf();
  auto json = fhir::ParseJson(text.str());
  if (!json.ok() || !json->is_object()) {
    return InvalidArgumentError(path + " is not a JSON object");
  }
  return json;
}

// Validates the new content as `duet serve` would, then replaces the file atomically.
Status WriteConfigJson(const std::string& path, const Json& config) {
  std::string text = fhir::WriteJson(config, /*pretty=*/true) + "\n";
  std::filesystem::path absolute = std::filesystem::absolute(path);
  auto parsed = ParseGatewayConfig(text, absolute.parent_path().string());
  if (!parsed.ok()) return parsed.status();
  std::string temporary = absolute.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return UnavailableError("cannot write " + temporary);
  }
  // The new file keeps the old one's mode, owner and group: an admin edits /etc/duet/duet.json as
  // root, and the gateway reads it through its group (docs/admin-guide.md).
  struct stat info {};
  if (stat(absolute.c_str(), &info) == 0) {
    // Only root may give a file away; for anyone else the file is theirs already.
    const int ignored = chown(temporary.c_str(), info.st_uid, info.st_gid);
    (void)ignored;
    chmod(temporary.c_str(), info.st_mode & 07777);
  }
  if (std::rename(temporary.c_str(), absolute.c_str()) != 0) {
    return UnavailableError("cannot replace " + absolute.string());
  }
  return Status::Ok();
}

}  // namespace duet::gateway
