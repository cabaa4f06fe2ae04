#include "gateway/auth/smart_auth_handler.h"

#include <spdlog/spdlog.h>

#include <map>
#include <utility>

#include "fhir/json.h"

namespace duet::gateway {
namespace {

using fhir::Json;

// "https://host:8443/fhir" → "https://host:8443".
std::string Origin(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  size_t path = url.find('/', scheme + 3);
  return path == std::string::npos ? url : url.substr(0, path);
}

Json Strings(std::initializer_list<const char*> values) {
  Json array = Json::MakeArray();
  for (const char* value : values) array.Append(Json::String(value));
  return array;
}

HttpResponse JsonAnswer(int status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.headers.Set("Content-Type", "application/json");
  response.headers.Set("Cache-Control", "no-store");
  response.headers.Set("Pragma", "no-cache");
  response.body = fhir::WriteJson(body);
  return response;
}

HttpResponse OAuthError(int status, const std::string& error, const std::string& description) {
  Json body = Json::MakeObject();
  body.Set("error", Json::String(error));
  body.Set("error_description", Json::String(description));
  return JsonAnswer(status, body);
}

}  // namespace

HttpResponse SmartAuthHandler::Failure(int status, const std::string& /*path*/,
                                       const std::string& message) const {
  const char* error = status >= 500   ? "server_error"
                      : status == 429 ? "temporarily_unavailable"
                                      : "invalid_request";
  return OAuthError(status, error, message);
}

SmartAuthHandler::SmartAuthHandler(const TokenService& tokens, std::string public_fhir_base,
                                   std::function<int64_t()> clock)
    : tokens_(tokens), public_origin_(Origin(public_fhir_base)), clock_(std::move(clock)) {}

std::string SmartAuthHandler::TokenUrl(const HttpRequest& request) const {
  return (public_origin_.empty() ? request.base_url : public_origin_) + "/auth/token";
}

HttpResponse SmartAuthHandler::Handle(const HttpRequest& request) {
  if (request.path == "/fhir/.well-known/smart-configuration") {
    if (request.method != "GET" && request.method != "HEAD") {
      return OAuthError(405, "invalid_request", "use GET");
    }
    return Discovery(request);
  }
  if (request.path == "/auth/token") {
    std::string error = "invalid_request";
    HttpResponse response =
        request.method == "POST" ? Token(request, error) : OAuthError(405, error, "use POST");
    if (token_observer_) token_observer_(response.status == 200 ? std::string_view() : error);
    return response;
  }
  return OAuthError(404, "invalid_request", "no such endpoint: " + request.path);
}

HttpResponse SmartAuthHandler::Discovery(const HttpRequest& request) const {
  Json body = Json::MakeObject();
  body.Set("token_endpoint", Json::String(TokenUrl(request)));
  body.Set("token_endpoint_auth_methods_supported", Strings({"private_key_jwt"}));
  body.Set("token_endpoint_auth_signing_alg_values_supported", Strings({"ES384", "RS384"}));
  body.Set("grant_types_supported", Strings({"client_credentials"}));
  body.Set("scopes_supported",
           Strings({"system/*.rs", "system/*.cruds", "system/*.read", "system/*.write",
                    "system/CarePlan.rs", "system/Task.cruds"}));
  body.Set("capabilities",
           Strings({"client-confidential-asymmetric", "permission-v1", "permission-v2"}));
  return JsonAnswer(200, body);
}

void SmartAuthHandler::SetTokenObserver(std::function<void(std::string_view error)> observer) {
  token_observer_ = std::move(observer);
}

HttpResponse SmartAuthHandler::Token(const HttpRequest& request, std::string& error) const {
  error = "invalid_request";
  const std::string* type = request.headers.Find("Content-Type");
  if (type == nullptr || type->rfind("application/x-www-form-urlencoded", 0) != 0) {
    return OAuthError(400, "invalid_request",
                      "send the token request as application/x-www-form-urlencoded");
  }
  std::map<std::string, std::string> form;
  for (auto& [name, value] : ParseQueryString(request.body)) {
    if (!form.emplace(name, value).second) {
      return OAuthError(400, "invalid_request", "parameter " + name + " is given twice");
    }
  }
  TokenAnswer answer = tokens_.Grant(form, TokenUrl(request), clock_());
  if (!answer.error.empty()) {
    error = answer.error;
    spdlog::warn("auth: token refused to client \"{}\" from {}: {}: {}", answer.client_id,
                 request.remote_address, answer.error, answer.error_description);
    int status = answer.error == "server_error" ? 500 : 400;
    return OAuthError(status, answer.error, answer.error_description);
  }
  spdlog::info("auth: token issued to client \"{}\" for {} ({} s)", answer.client_id, answer.scope,
               answer.expires_in);
  Json body = Json::MakeObject();
  body.Set("access_token", Json::String(answer.access_token));
  body.Set("token_type", Json::String("bearer"));
  body.Set("expires_in", Json::Integer(answer.expires_in));
  body.Set("scope", Json::String(answer.scope));
  return JsonAnswer(200, body);
}

}  // namespace duet::gateway
