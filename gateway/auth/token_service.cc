#include "gateway/auth/token_service.h"

#include <charconv>
#include <optional>

#include "gateway/auth/jws.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr char kJwtBearer[] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
constexpr int64_t kMaxAssertionLifetime = 300;
constexpr int64_t kClockSkew = 60;

TokenAnswer Refuse(std::string error, std::string description, std::string client_id = "") {
  TokenAnswer answer;
  answer.error = std::move(error);
  answer.error_description = std::move(description);
  answer.client_id = std::move(client_id);
  return answer;
}

std::string FormValue(const std::map<std::string, std::string>& form, const std::string& name) {
  auto found = form.find(name);
  return found == form.end() ? "" : found->second;
}

bool AudienceMatches(const Json* audience, const std::string& token_url) {
  if (audience == nullptr) return false;
  if (audience->is_string()) return audience->string_value() == token_url;
  if (!audience->is_array()) return false;
  for (const Json& item : audience->items()) {
    if (item.is_string() && item.string_value() == token_url) return true;
  }
  return false;
}

// The claim as a whole number of seconds, or nullopt.
std::optional<int64_t> Seconds(const Json& claims, const char* name) {
  const Json* value = claims.Find(name);
  if (value == nullptr || !value->is_number()) return std::nullopt;
  const std::string& text = value->number_text();
  int64_t seconds = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return seconds;
}

// Checks the verified claims; "" when they are acceptable.
std::string ClaimProblem(const Json& claims, const std::string& client_id,
                         const std::string& token_url, int64_t now) {
  if (claims.StringOr("sub") != client_id) return "sub must equal iss (the client id)";
  if (!AudienceMatches(claims.Find("aud"), token_url)) return "aud must be " + token_url;
  std::optional<int64_t> expires = Seconds(claims, "exp");
  if (!expires) return "exp is required (seconds since the epoch)";
  if (*expires + kClockSkew < now) return "the assertion has expired";
  if (*expires > now + kMaxAssertionLifetime + kClockSkew) {
    return "exp must be at most five minutes ahead";
  }
  if (claims.StringOr("jti").empty()) return "jti is required";
  return "";
}

}  // namespace

TokenService::TokenService(ClientRegistry& clients, ReplayCache& replay, AccessTokens& tokens,
                           int lifetime_seconds)
    : clients_(clients), replay_(replay), tokens_(tokens), lifetime_seconds_(lifetime_seconds) {}

TokenAnswer TokenService::Grant(const std::map<std::string, std::string>& form,
                                const std::string& token_url, int64_t now) const {
  if (FormValue(form, "grant_type") != "client_credentials") {
    return Refuse("unsupported_grant_type", "grant_type must be client_credentials");
  }
  if (FormValue(form, "client_assertion_type") != kJwtBearer) {
    return Refuse("invalid_request", std::string("client_assertion_type must be ") + kJwtBearer);
  }
  std::string assertion = FormValue(form, "client_assertion");
  std::string requested = FormValue(form, "scope");
  if (assertion.empty()) return Refuse("invalid_request", "client_assertion is required");
  if (requested.empty()) return Refuse("invalid_request", "scope is required");

  auto header = PeekJwtHeader(assertion);
  auto unverified = PeekJwtClaims(assertion);
  if (!header.ok() || !unverified.ok()) {
    return Refuse("invalid_client", "client_assertion is not a signed JWT");
  }
  std::string client_id(unverified->StringOr("iss"));
  std::optional<RegisteredClient> client = clients_.Find(client_id);
  if (!client) return Refuse("invalid_client", "unknown client (iss)", client_id);
  std::string algorithm(header->StringOr("alg"));
  if (!IsSupportedJwsAlgorithm(algorithm)) {
    return Refuse("invalid_client", "alg must be ES384 or RS384", client_id);
  }
  auto key = clients_.Key(client_id, std::string(header->StringOr("kid")), now);
  if (!key.ok()) return Refuse("invalid_client", "no registered key has this kid", client_id);
  if (key->algorithm != algorithm) {
    return Refuse("invalid_client", "the key with this kid signs " + key->algorithm, client_id);
  }
  auto verified = VerifyJwt(assertion, algorithm, key->public_key_pem);
  if (!verified.ok()) {
    return Refuse("invalid_client", "the signature does not verify with the registered key",
                  client_id);
  }
  const Json& claims = verified->claims;
  if (std::string problem = ClaimProblem(claims, client_id, token_url, now); !problem.empty()) {
    return Refuse("invalid_client", problem, client_id);
  }
  auto fresh = replay_.Remember(client_id, std::string(claims.StringOr("jti")),
                                *Seconds(claims, "exp") + kClockSkew, now);
  if (!fresh.ok()) return Refuse("server_error", "cannot record the assertion", client_id);
  if (!*fresh) return Refuse("invalid_client", "this jti was used before", client_id);

  auto scopes = ParseScopes(requested);
  if (!scopes.ok()) return Refuse("invalid_scope", scopes.status().message(), client_id);
  for (const Scope& scope : *scopes) {
    if (!Covers(client->allowed_scopes, scope)) {
      return Refuse("invalid_scope", "scope " + scope.text + " is not granted to this client",
                    client_id);
    }
  }
  Principal principal{client_id, client->organization_npi, *scopes, now + lifetime_seconds_};
  auto token = tokens_.Issue(std::move(principal), now);
  if (!token.ok()) return Refuse("server_error", "cannot issue a token", client_id);
  TokenAnswer answer;
  answer.access_token = std::move(*token);
  answer.expires_in = lifetime_seconds_;
  answer.scope = requested;
  answer.client_id = client_id;
  return answer;
}

}  // namespace duet::gateway
