#include "gateway/auth/access_tokens.h"

#include <openssl/rand.h>

#include <algorithm>
#include <mutex>

#include "fhir/base64url.h"

namespace duet::gateway {
namespace {

constexpr int kTokenBytes = 32;

}  // namespace

StatusOr<std::string> AccessTokens::Issue(Principal principal, int64_t now) {
  unsigned char random[kTokenBytes];
  if (RAND_bytes(random, kTokenBytes) != 1) return InternalError("no randomness for a token");
  std::string token =
      fhir::Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(random), kTokenBytes));
  auto shared = std::make_shared<const Principal>(std::move(principal));
  std::unique_lock lock(mutex_);
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    it = it->second->expires_at <= now ? tokens_.erase(it) : std::next(it);
  }
  tokens_.emplace(token, std::move(shared));
  return token;
}

std::shared_ptr<const Principal> AccessTokens::Find(const std::string& token, int64_t now) const {
  std::shared_ptr<const Principal> principal;
  {
    std::shared_lock lock(mutex_);
    auto found = tokens_.find(token);
    if (found == tokens_.end()) return nullptr;
    principal = found->second;
  }
  return principal->expires_at <= now ? nullptr : principal;
}

size_t AccessTokens::RevokeClients(const std::vector<std::string>& client_ids) {
  size_t revoked = 0;
  std::unique_lock lock(mutex_);
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    bool named =
        std::find(client_ids.begin(), client_ids.end(), it->second->client_id) != client_ids.end();
    if (named) ++revoked;
    it = named ? tokens_.erase(it) : std::next(it);
  }
  return revoked;
}

size_t AccessTokens::size() const {
  std::shared_lock lock(mutex_);
  return tokens_.size();
}

}  // namespace duet::gateway
