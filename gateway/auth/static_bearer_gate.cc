#include "gateway/auth/static_bearer_gate.h"

#include <openssl/crypto.h>

#include "gateway/auth/secret_file.h"

namespace duet::gateway {
namespace {

constexpr size_t kMinTokenLength = 32;

bool SameToken(const std::string& given, const std::string& expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

}  // namespace

StatusOr<std::shared_ptr<StaticBearerGate>> StaticBearerGate::Create(
    std::shared_ptr<HttpHandler> inner, const std::string& token_file, const std::string& who,
    const std::string& setting) {
  auto token = ReadSecretFile(token_file, who + " token");
  if (!token.ok()) return InvalidArgumentError(token.status().message());
  if (token->size() < kMinTokenLength) {
    return InvalidArgumentError(token_file + " must hold a token of at least 32 characters");
  }
  return std::shared_ptr<StaticBearerGate>(
      new StaticBearerGate(std::move(inner), std::move(*token), who, setting));
}

bool StaticBearerGate::Admits(const HttpRequest& request) const {
  std::string token = BearerToken(request);
  return !token.empty() && SameToken(token, token_);
}

HttpResponse StaticBearerGate::Handle(const HttpRequest& request) {
  if (!Admits(request)) {
    HttpResponse response = inner_->Failure(
        401, request.path, "this API needs the " + who_ + " bearer token (" + setting_ + ")");
    response.headers.Set("WWW-Authenticate", "Bearer realm=\"duet-" + who_ + "\"");
    return response;
  }
  return inner_->Handle(request);
}

HttpResponse StaticBearerGate::Failure(int status, const std::string& path,
                                       const std::string& message) const {
  return inner_->Failure(status, path, message);
}

}  // namespace duet::gateway
