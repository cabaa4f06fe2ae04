// JSON Web Keys (RFC 7517) for SMART Backend Services: the public keys partners register with us
// (a JWKS, inline in the config or in a file) and the public key we publish for the partners we
// call. Keys are EC P-384 (for ES384) or RSA of at least 2048 bits (for RS384); other keys are
// refused with a message naming what is wrong. The only place OpenSSL key objects are built from
// or turned into JWKs; callers see JSON and PEM text.
//
// Free functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"

namespace duet::gateway {

struct PublicJwk {
  std::string key_id;          // "kid"
  std::string algorithm;       // "ES384" or "RS384" (from "alg", or from the key type)
  std::string public_key_pem;  // SubjectPublicKeyInfo PEM, for VerifyJwt
};

// One JWK object → its public key. kInvalidArgument naming the member at fault.
StatusOr<PublicJwk> ReadPublicJwk(const fhir::Json& jwk);

// A JWKS ({"keys": [...]}) → its keys; every key needs a distinct "kid". Problems name the key
// by index ("keys[1].crv: ...").
StatusOr<std::vector<PublicJwk>> ReadJwks(const fhir::Json& jwks);

// The public JWK of a PEM key (private or public), with "kid", "alg" and "use":"sig".
StatusOr<fhir::Json> PublicJwkFromPem(std::string_view pem, std::string_view key_id);

}  // namespace duet::gateway
