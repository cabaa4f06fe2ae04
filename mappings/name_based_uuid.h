// Name-based UUIDs (RFC 4122 version 5): the stable fullUrls of transaction Bundle entries and
// other ids the gateway must derive the same way every time from the same name.
//
// OpenSSL computes the SHA-1 (with the CPU's SHA instructions where it has them); its types stay
// in the .cc file. Thread-safe: each thread keeps its own digest context.
#pragma once

#include <string>
#include <string_view>

namespace duet::mappings {

// The version 5 UUID of `name` in the RFC 4122 URL namespace: the same name always gives the same
// UUID ("xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx", lower case).
std::string DeterministicUuid(std::string_view name);
// "urn:uuid:" + DeterministicUuid(name), in one allocation: the fullUrl of a Bundle entry.
std::string UuidUrn(std::string_view name);

}  // namespace duet::mappings
