#include "gateway/auth/jwk.h"

#include <gtest/gtest.h>

#include "gateway/auth/jws.h"
#include "tests/support/test_keys.h"

namespace duet::gateway {
namespace {

using fhir::Json;

Json Claims() {
  Json claims = Json::MakeObject();
  claims.Set("iss", Json::String("evim"));
  return claims;
}

TEST(JwkTest, PublishedKeysVerifyWhatTheirPrivateKeysSigned) {
  for (const auto& [algorithm, pem] :
       {std::pair<std::string, std::string>{"ES384", test::NewEcP384KeyPem()},
        {"RS384", test::NewRsaKeyPem()}}) {
    auto jwk = PublicJwkFromPem(pem, "k-2026");
    ASSERT_TRUE(jwk.ok()) << jwk.status().ToString();
    EXPECT_EQ(jwk->StringOr("alg"), algorithm);
    EXPECT_EQ(fhir::WriteJson(*jwk).find("\"d\""), std::string::npos) << "no private part";
    auto key = ReadPublicJwk(*jwk);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->key_id, "k-2026");
    EXPECT_EQ(key->algorithm, algorithm);
    auto token = SignJwt(algorithm, "k-2026", Claims(), pem);
    ASSERT_TRUE(token.ok());
    EXPECT_TRUE(VerifyJwt(*token, algorithm, key->public_key_pem).ok()) << algorithm;
    auto other = ReadPublicJwk(*PublicJwkFromPem(
        algorithm == "ES384" ? test::NewEcP384KeyPem() : test::NewRsaKeyPem(), "k-other"));
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(VerifyJwt(*token, algorithm, other->public_key_pem).ok()) << algorithm;
  }
}

TEST(JwkTest, UnusableKeysAreRefusedWithTheMemberAtFault) {
  auto problem = [](const std::string& text) {
    auto key = ReadPublicJwk(fhir::ParseJson(text).value());
    return key.ok() ? std::string("accepted") : key.status().message();
  };
  EXPECT_EQ(problem(R"({"kty":"EC","crv":"P-384","x":"AA","y":"AA"})"), "kid: required (a string)");
  EXPECT_EQ(problem(R"({"kid":"a","kty":"oct","k":"AA"})"), "kty: must be EC or RSA");
  EXPECT_EQ(problem(R"({"kid":"a","kty":"EC","crv":"P-256","x":"AA","y":"AA"})"),
            "crv: must be P-384 (for ES384)");
  EXPECT_EQ(problem(R"({"kid":"a","kty":"EC","crv":"P-384","x":"AA","y":"AA"})"),
            "x, y: must be 48 bytes each for P-384");
  EXPECT_EQ(problem(R"({"kid":"a","kty":"RSA","n":"AQAB","e":"AQAB"})"),
            "n: RSA keys must have at least 2048 bits");
  EXPECT_EQ(problem(R"({"kid":"a","kty":"RSA","n":"***","e":"AQAB"})"), "n: not base64url");
  Json ec = *PublicJwkFromPem(test::NewEcP384KeyPem(), "a");
  ec.Set("alg", Json::String("RS384"));
  EXPECT_EQ(problem(fhir::WriteJson(ec)), "alg: a EC key signs ES384, not RS384");
  std::string point = std::string(ec.StringOr("x"));
  point[5] = point[5] == 'A' ? 'B' : 'A';
  ec.Set("x", Json::String(point));
  ec.Set("alg", Json::String("ES384"));
  EXPECT_EQ(problem(fhir::WriteJson(ec)), "x, y: the point is not a valid public key");
}

TEST(JwkTest, AJwksNeedsDistinctKeyIds) {
  Json jwks = Json::MakeObject();
  Json keys = Json::MakeArray();
  keys.Append(*PublicJwkFromPem(test::NewEcP384KeyPem(), "same"));
  keys.Append(*PublicJwkFromPem(test::NewRsaKeyPem(), "same"));
  jwks.Set("keys", std::move(keys));
  auto read = ReadJwks(jwks);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(), "keys[1].kid: \"same\" is used twice");
  EXPECT_EQ(ReadJwks(Json::MakeObject()).status().message(),
            "keys: required (a JWKS is {\"keys\": [...]})");
}

}  // namespace
}  // namespace duet::gateway
