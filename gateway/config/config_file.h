// Reading and writing the configuration file as JSON (ConfigEditor, admin_api/config_editor.h):
// write it back only when the whole new content is valid as `duet serve` would read it,
// atomically, keeping its mode, owner and group. Free functions; one caller at a time per file.
#pragma once

#include <string>

#include "fhir/json.h"
#include "fhir/status.h"

namespace duet::gateway {

StatusOr<fhir::Json> ReadConfigJson(const std::string& path);
// kInvalidArgument listing every problem when the content would be invalid; nothing is written.
Status WriteConfigJson(const std::string& path, const fhir::Json& config);

}  // namespace duet::gateway
