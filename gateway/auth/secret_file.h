// Secrets kept in files (bearer tokens, private keys), read when used so that a rotated file
// takes effect without a restart. Trailing whitespace and newlines are not part of the secret.
// The error names the file and what it was for, never its content. Thread-safe.
#pragma once

#include <string>

#include "fhir/status.h"

namespace duet::gateway {

// kUnavailable when the file cannot be read or holds nothing; `what` names it ("bearer token").
StatusOr<std::string> ReadSecretFile(const std::string& path, const std::string& what);

}  // namespace duet::gateway
