// Request ids: the X-Request-Id a request is known by in the logs and in its answer. A caller's
// own id is kept when it is sane (1-64 characters of [A-Za-z0-9._-]); otherwise the server makes
// one (32 random hex digits). Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace duet::gateway {

inline constexpr char kRequestIdHeader[] = "X-Request-Id";

bool IsAcceptableRequestId(std::string_view id);

// `incoming` (the header's value, or nullptr) when acceptable, else a new id.
std::string AcceptOrMakeRequestId(const std::string* incoming);

std::string MakeRequestId();

}  // namespace duet::gateway
