// HTTP header lists as the FHIR client and its transports carry them: name/value pairs in order,
// names compared without regard to case. Pure functions: safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::fhir {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The value of the first header named `name` (case-insensitive), or nullptr.
const std::string* FindHeader(const HttpHeaders& headers, std::string_view name);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace duet::fhir
