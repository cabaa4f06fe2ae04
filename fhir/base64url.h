// Base64url without padding (RFC 7515 §2), as JWS, JWK and opaque cursors use it. Free functions;
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace duet::fhir {

std::string Base64UrlEncode(std::string_view bytes);
// nullopt when `text` holds a character outside the base64url alphabet.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace duet::fhir
