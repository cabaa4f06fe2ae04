#include "gateway/auth/jws.h"

#include <jwt.h>

#include <cstdlib>
#include <memory>

#include "fhir/base64url.h"

namespace duet::gateway {
namespace {

using fhir::Json;

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct FreeDeleter {
  void operator()(char* text) const { std::free(text); }
};
using JwtString = std::unique_ptr<char, FreeDeleter>;

jwt_alg_t ToAlgorithm(std::string_view algorithm) {
  if (algorithm == "ES384") return JWT_ALG_ES384;
  if (algorithm == "RS384") return JWT_ALG_RS384;
  return JWT_ALG_INVAL;
}

}  // namespace

bool IsSupportedJwsAlgorithm(std::string_view algorithm) {
  return ToAlgorithm(algorithm) != JWT_ALG_INVAL;
}

StatusOr<std::string> SignJwt(std::string_view algorithm, std::string_view key_id,
                              const Json& claims, std::string_view private_key_pem) {
  jwt_alg_t alg = ToAlgorithm(algorithm);
  if (alg == JWT_ALG_INVAL) {
    return InvalidArgumentError("JWS algorithm " + std::string(algorithm) +
                                " is not supported; use ES384 or RS384");
  }
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return InternalError("cannot allocate a JWT");
  JwtPtr jwt(raw);
  std::string claims_text = fhir::WriteJson(claims);
  if (jwt_add_grants_json(jwt.get(), claims_text.c_str()) != 0) {
    return InvalidArgumentError("the JWT claims are not a flat JSON object");
  }
  if (!key_id.empty() && jwt_add_header(jwt.get(), "kid", std::string(key_id).c_str()) != 0) {
    return InternalError("cannot set the JWT kid");
  }
  const auto* key = reinterpret_cast<const unsigned char*>(private_key_pem.data());
  if (jwt_set_alg(jwt.get(), alg, key, static_cast<int>(private_key_pem.size())) != 0) {
    return InvalidArgumentError("cannot use the private key for " + std::string(algorithm));
  }
  JwtString encoded(jwt_encode_str(jwt.get()));
  if (!encoded) {
    return InvalidArgumentError("cannot sign with the private key as " + std::string(algorithm) +
                                " (an EC P-384 key for ES384, an RSA key for RS384)");
  }
  return std::string(encoded.get());
}

StatusOr<Json> PeekJwtHeader(std::string_view token) {
  size_t dot = token.find('.');
  if (dot == std::string_view::npos) return UnauthenticatedError("not a compact JWS");
  auto header = fhir::ParseJson(fhir::Base64UrlDecode(token.substr(0, dot)).value_or(""));
  if (!header.ok() || !header->is_object()) {
    return UnauthenticatedError("the JWS header is not a base64url JSON object");
  }
  return header;
}

StatusOr<Json> PeekJwtClaims(std::string_view token) {
  size_t first = token.find('.');
  size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos) return UnauthenticatedError("not a compact JWS");
  auto claims = fhir::ParseJson(
      fhir::Base64UrlDecode(token.substr(first + 1, second - first - 1)).value_or(""));
  if (!claims.ok() || !claims->is_object()) {
    return UnauthenticatedError("the JWT claims are not a base64url JSON object");
  }
  return claims;
}

StatusOr<VerifiedJwt> VerifyJwt(std::string_view token, std::string_view algorithm,
                                std::string_view public_key_pem) {
  jwt_alg_t alg = ToAlgorithm(algorithm);
  if (alg == JWT_ALG_INVAL) {
    return UnauthenticatedError("JWS algorithm " + std::string(algorithm) + " is not accepted");
  }
  DUET_ASSIGN_OR_RETURN(Json header, PeekJwtHeader(token));
  if (header.StringOr("alg") != algorithm) {
    return UnauthenticatedError("the JWS header says alg " + std::string(header.StringOr("alg")) +
                                ", the key is for " + std::string(algorithm));
  }
  jwt_t* raw = nullptr;
  const auto* key = reinterpret_cast<const unsigned char*>(public_key_pem.data());
  int failed =
      jwt_decode(&raw, std::string(token).c_str(), key, static_cast<int>(public_key_pem.size()));
  JwtPtr jwt(raw);
  if (failed != 0 || !jwt || jwt_get_alg(jwt.get()) != alg) {
    return UnauthenticatedError("the JWS signature does not verify with the registered key");
  }
  JwtString claims_text(jwt_get_grants_json(jwt.get(), nullptr));
  auto claims = fhir::ParseJson(claims_text ? claims_text.get() : "{}");
  if (!claims.ok()) return UnauthenticatedError("the JWT claims are not JSON");
  return VerifiedJwt{std::move(header), std::move(*claims)};
}

}  // namespace duet::gateway
