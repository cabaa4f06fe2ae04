#include "gateway/sync/endpoint_auth.h"

#include <chrono>
#include <memory>
#include <random>

#include "fhir/json.h"
#include "gateway/auth/jws.h"
#include "gateway/auth/secret_file.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr int64_t kAssertionLifetimeSeconds = 300;
constexpr int64_t kRenewBeforeExpirySeconds = 30;
constexpr int64_t kDefaultTokenLifetimeSeconds = 300;

std::string RandomJti() {
  std::random_device device;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string jti;
  for (int i = 0; i < 4; ++i) {
    uint32_t word = device();
    for (int nibble = 0; nibble < 8; ++nibble) jti.push_back(kHex[(word >> (nibble * 4)) & 0xF]);
  }
  return jti;
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string body;
  for (const auto& [name, value] : fields) {
    if (!body.empty()) body += '&';
    body += PercentEncode(name) + "=" + PercentEncode(value);
  }
  return body;
}

// The OAuth error of a refused token request, without echoing anything secret.
std::string TokenErrorText(int status, const std::string& body) {
  std::string text = "the token endpoint answered " + std::to_string(status);
  auto error = fhir::ParseJson(body);
  if (error.ok() && error->is_object()) {
    if (!error->StringOr("error").empty()) text += ": " + std::string(error->StringOr("error"));
    if (!error->StringOr("error_description").empty()) {
      text += " (" + std::string(error->StringOr("error_description")) + ")";
    }
  }
  return text;
}

}  // namespace

int64_t SystemClockSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SmartTokenSource::SmartTokenSource(EndpointConfig::Auth auth, TokenEndpointCall call, Clock clock)
    : auth_(std::move(auth)), call_(std::move(call)), clock_(std::move(clock)) {}

StatusOr<std::string> SmartTokenSource::NewAssertion(int64_t now) const {
  DUET_ASSIGN_OR_RETURN(std::string key, ReadSecretFile(auth_.private_key_file, "private key"));
  Json claims = Json::MakeObject();
  claims.Set("iss", Json::String(auth_.client_id));
  claims.Set("sub", Json::String(auth_.client_id));
  claims.Set("aud", Json::String(auth_.token_url));
  claims.Set("iat", Json::Integer(now));
  claims.Set("exp", Json::Integer(now + kAssertionLifetimeSeconds));
  claims.Set("jti", Json::String(RandomJti()));
  auto signed_jwt = SignJwt(auth_.algorithm, auth_.key_id, claims, key);
  if (!signed_jwt.ok()) {
    return signed_jwt.status().WithContext("private key " + auth_.private_key_file);
  }
  return signed_jwt;
}

StatusOr<std::string> SmartTokenSource::RequestToken(int64_t now) {
  DUET_ASSIGN_OR_RETURN(std::string assertion, NewAssertion(now));
  std::string form = FormEncode({
      {"grant_type", "client_credentials"},
      {"scope", auth_.scopes},
      {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
      {"client_assertion", assertion},
  });
  DUET_ASSIGN_OR_RETURN(auto answer, call_(auth_.token_url, form));
  const auto& [status, body] = answer;
  if (status != 200) {
    return UnauthenticatedError(TokenErrorText(status, body) + " for client " + auth_.client_id);
  }
  auto response = fhir::ParseJson(body);
  if (!response.ok() || response->StringOr("access_token").empty()) {
    return UnauthenticatedError("the token endpoint's answer has no access_token");
  }
  int64_t lifetime = kDefaultTokenLifetimeSeconds;
  if (const Json* expires = response->Find("expires_in"); expires && expires->is_number()) {
    lifetime = std::atoll(expires->number_text().c_str());
  }
  token_ = std::string(response->StringOr("access_token"));
  expires_at_ = now + lifetime;
  return token_;
}

StatusOr<std::string> SmartTokenSource::Authorization(bool refresh) {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t now = clock_();
  if (refresh || token_.empty() || now >= expires_at_ - kRenewBeforeExpirySeconds) {
    token_.clear();
    DUET_RETURN_IF_ERROR(RequestToken(now).status());
  }
  return "Bearer " + token_;
}

AuthorizationProvider MakeAuthorizationProvider(const EndpointConfig& endpoint,
                                                TokenEndpointCall call) {
  if (endpoint.auth.method == "bearer") {
    std::string path = endpoint.auth.token_file;
    return [path](bool /*refresh*/) -> StatusOr<std::string> {
      DUET_ASSIGN_OR_RETURN(std::string token, ReadSecretFile(path, "bearer token"));
      return "Bearer " + token;
    };
  }
  if (endpoint.auth.method == "smart") {
    auto source = std::make_shared<SmartTokenSource>(endpoint.auth, std::move(call));
    return [source](bool refresh) { return source->Authorization(refresh); };
  }
  return {};
}

}  // namespace duet::gateway
