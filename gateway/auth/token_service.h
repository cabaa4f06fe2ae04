// TokenService: the SMART Backend Services token endpoint's decision (`POST /auth/token`), free
// of HTTP. A client sends grant_type=client_credentials, a scope, and a client assertion: a JWT
// signed ES384 or RS384 with one of its registered keys (header kid), with iss = sub = its
// client id, aud = our token URL, exp at most five minutes ahead, and a jti never used before.
// Every check that fails answers an OAuth2 error (RFC 6749 §5.2) that says what was wrong
// without echoing the assertion; a grant is a short-lived opaque bearer token.
//
// Holds references to the registry, replay cache and token table, which must outlive it.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "gateway/auth/access_tokens.h"
#include "gateway/auth/client_registry.h"
#include "gateway/auth/replay_cache.h"

namespace duet::gateway {

struct TokenAnswer {
  // Success: error is empty.
  std::string access_token;
  int expires_in = 0;
  std::string scope;
  // Failure: "invalid_request", "invalid_client", "invalid_scope", "unsupported_grant_type".
  std::string error;
  std::string error_description;
  std::string client_id;  // who asked, when known (for the log)
};

class TokenService {
 public:
  TokenService(ClientRegistry& clients, ReplayCache& replay, AccessTokens& tokens,
               int lifetime_seconds);

  // `form` is the decoded request body; `token_url` the URL clients must name in `aud`.
  TokenAnswer Grant(const std::map<std::string, std::string>& form, const std::string& token_url,
                    int64_t now) const;

 private:
  ClientRegistry& clients_;
  ReplayCache& replay_;
  AccessTokens& tokens_;
  int lifetime_seconds_;
};

}  // namespace duet::gateway
