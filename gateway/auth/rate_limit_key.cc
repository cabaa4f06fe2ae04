#include "gateway/auth/rate_limit_key.h"

#include <string_view>
#include <utility>

namespace duet::gateway {
namespace {

bool Under(const std::string& path, std::string_view prefix) {
  return path.size() >= prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
         (path.size() == prefix.size() || path[prefix.size()] == '/');
}

}  // namespace

RateLimitKey::RateLimitKey(const AccessTokens* tokens, const StaticBearerGate* practice_gate,
                           std::function<int64_t()> clock)
    : tokens_(tokens), practice_gate_(practice_gate), clock_(std::move(clock)) {}

std::string RateLimitKey::operator()(const HttpRequest& request) const {
  if (tokens_ != nullptr && Under(request.path, "/fhir")) {
    std::string token = BearerToken(request);
    if (!token.empty()) {
      if (auto principal = tokens_->Find(token, clock_())) return "client " + principal->client_id;
    }
  } else if (practice_gate_ != nullptr && Under(request.path, "/practice/v1") &&
             practice_gate_->Admits(request)) {
    return "practice";
  }
  return "address " + request.remote_address;
}

}  // namespace duet::gateway
