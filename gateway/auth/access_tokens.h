// AccessTokens: the bearer tokens /auth/token has issued and not yet expired, in memory. A token
// is 256 random bits (base64url); it names its client, organization and granted scopes. Tokens
// live no longer than five minutes, so a restart only makes clients ask again (their 401 path).
//
// Thread-safe: issuing takes an exclusive lock, look-ups a shared one.
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "fhir/status.h"
#include "gateway/auth/scopes.h"

namespace duet::gateway {

// Who is calling, as a valid token says.
struct Principal {
  std::string client_id;
  std::string organization_npi;
  std::vector<Scope> scopes;
  int64_t expires_at = 0;
};

class AccessTokens {
 public:
  // A new token for `principal` (its expires_at set by the caller); drops expired ones.
  StatusOr<std::string> Issue(Principal principal, int64_t now);
  // The principal of a live token, or null (unknown or expired).
  std::shared_ptr<const Principal> Find(const std::string& token, int64_t now) const;
  size_t size() const;
  // Ends every live token of the clients named (a client removed or changed by the admin); the
  // number of tokens ended.
  size_t RevokeClients(const std::vector<std::string>& client_ids);

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Principal>> tokens_;
};

}  // namespace duet::gateway
