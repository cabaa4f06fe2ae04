// JSON Web Signatures for SMART Backend Services: signing the client assertions Duet sends to a
// partner's token endpoint, and verifying those a partner sends to ours. The only place libjwt
// (and its OpenSSL keys) is used; callers see JSON and PEM text.
//
// Free functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "fhir/json.h"
#include "fhir/status.h"

namespace duet::gateway {

// "ES384" or "RS384": the algorithms SMART Backend Services asks servers to support.
bool IsSupportedJwsAlgorithm(std::string_view algorithm);

// A compact JWS: header {"alg", "typ":"JWT", "kid"} and the claims (an object of strings and
// integers), signed with the PEM private key (EC P-384 for ES384, RSA for RS384).
// kInvalidArgument when the key does not fit the algorithm.
StatusOr<std::string> SignJwt(std::string_view algorithm, std::string_view key_id,
                              const fhir::Json& claims, std::string_view private_key_pem);

struct VerifiedJwt {
  fhir::Json header;
  fhir::Json claims;
};

// Checks the signature with the PEM public key and that the header's alg is `algorithm`; the
// claims are for the caller to judge. kUnauthenticated saying why when it does not verify.
StatusOr<VerifiedJwt> VerifyJwt(std::string_view token, std::string_view algorithm,
                                std::string_view public_key_pem);

// The header of a compact JWS, decoded without verifying (to find its kid and alg).
StatusOr<fhir::Json> PeekJwtHeader(std::string_view token);
// Its claims, decoded without verifying (to find the issuer whose key verifies it).
StatusOr<fhir::Json> PeekJwtClaims(std::string_view token);

}  // namespace duet::gateway
