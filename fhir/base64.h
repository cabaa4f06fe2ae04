// Base64 (RFC 4648 §4, with padding) for FHIR `base64Binary` values, such as
// `Attachment.data`: the raw payload a sync job keeps of what a partner sent.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "fhir/status.h"

namespace duet::fhir {

std::string Base64Encode(std::string_view bytes);

// The bytes of `text`; kInvalidArgument naming the first offending character or the length
// when it is not padded base64 (whitespace is not allowed).
StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace duet::fhir
