#include "gateway/auth/jwk.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <memory>
#include <set>

#include "fhir/base64url.h"

namespace duet::gateway {
namespace {

using fhir::Json;

struct Free {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  void operator()(EVP_PKEY_CTX* context) const { EVP_PKEY_CTX_free(context); }
  void operator()(OSSL_PARAM_BLD* builder) const { OSSL_PARAM_BLD_free(builder); }
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
  void operator()(BIGNUM* number) const { BN_free(number); }
  void operator()(BIO* bio) const { BIO_free(bio); }
};
template <typename T>
using Owned = std::unique_ptr<T, Free>;

constexpr int kMinRsaBits = 2048;
constexpr size_t kP384CoordinateBytes = 48;

StatusOr<std::string> Member(const Json& jwk, const char* name) {
  const Json* value = jwk.Find(name);
  if (value == nullptr || !value->is_string() || value->string_value().empty()) {
    return InvalidArgumentError(std::string(name) + ": required (a string)");
  }
  return std::string(value->string_value());
}

StatusOr<std::string> Bytes(const Json& jwk, const char* name) {
  DUET_ASSIGN_OR_RETURN(std::string text, Member(jwk, name));
  std::optional<std::string> bytes = fhir::Base64UrlDecode(text);
  if (!bytes || bytes->empty()) return InvalidArgumentError(std::string(name) + ": not base64url");
  return *bytes;
}

StatusOr<std::string> ToPem(EVP_PKEY* key) {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return InternalError("cannot write the public key as PEM");
  }
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

StatusOr<Owned<EVP_PKEY>> FromParams(const char* type, OSSL_PARAM_BLD* builder,
                                     const std::string& what) {
  Owned<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(builder));
  Owned<EVP_PKEY_CTX> context(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (params == nullptr || context == nullptr || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return InvalidArgumentError(what + " is not a valid public key");
  }
  return Owned<EVP_PKEY>(key);
}

StatusOr<Owned<EVP_PKEY>> EcKey(const Json& jwk) {
  DUET_ASSIGN_OR_RETURN(std::string curve, Member(jwk, "crv"));
  if (curve != "P-384") return InvalidArgumentError("crv: must be P-384 (for ES384)");
  DUET_ASSIGN_OR_RETURN(std::string x, Bytes(jwk, "x"));
  DUET_ASSIGN_OR_RETURN(std::string y, Bytes(jwk, "y"));
  if (x.size() != kP384CoordinateBytes || y.size() != kP384CoordinateBytes) {
    return InvalidArgumentError("x, y: must be 48 bytes each for P-384");
  }
  std::string point = "\x04" + x + y;  // uncompressed point
  Owned<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
  if (builder == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return InternalError("cannot build an EC key");
  }
  return FromParams("EC", builder.get(), "x, y: the point");
}

StatusOr<Owned<EVP_PKEY>> RsaKey(const Json& jwk) {
  DUET_ASSIGN_OR_RETURN(std::string n, Bytes(jwk, "n"));
  DUET_ASSIGN_OR_RETURN(std::string e, Bytes(jwk, "e"));
  auto bignum = [](const std::string& bytes) {
    return Owned<BIGNUM>(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                                   static_cast<int>(bytes.size()), nullptr));
  };
  Owned<BIGNUM> modulus = bignum(n);
  Owned<BIGNUM> exponent = bignum(e);
  if (modulus == nullptr || exponent == nullptr) return InternalError("cannot read n, e");
  if (BN_num_bits(modulus.get()) < kMinRsaBits) {
    return InvalidArgumentError("n: RSA keys must have at least 2048 bits");
  }
  Owned<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
  if (builder == nullptr ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return InternalError("cannot build an RSA key");
  }
  return FromParams("RSA", builder.get(), "n, e");
}

std::string BignumBytes(EVP_PKEY* key, const char* name, size_t width) {
  BIGNUM* number = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &number) != 1) return "";
  Owned<BIGNUM> owned(number);
  size_t size = width == 0 ? static_cast<size_t>(BN_num_bytes(number)) : width;
  std::string bytes(size, '\0');
  BN_bn2binpad(number, reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size));
  return bytes;
}

}  // namespace

StatusOr<PublicJwk> ReadPublicJwk(const Json& jwk) {
  if (!jwk.is_object()) return InvalidArgumentError("a JWK must be a JSON object");
  PublicJwk key;
  DUET_ASSIGN_OR_RETURN(key.key_id, Member(jwk, "kid"));
  DUET_ASSIGN_OR_RETURN(std::string type, Member(jwk, "kty"));
  StatusOr<Owned<EVP_PKEY>> native = InvalidArgumentError("kty: must be EC or RSA");
  std::string expected;
  if (type == "EC") {
    native = EcKey(jwk);
    expected = "ES384";
  } else if (type == "RSA") {
    native = RsaKey(jwk);
    expected = "RS384";
  }
  if (!native.ok()) return native.status();
  key.algorithm = std::string(jwk.StringOr("alg", expected));
  if (key.algorithm != expected) {
    return InvalidArgumentError("alg: a " + type + " key signs " + expected + ", not " +
                                key.algorithm);
  }
  DUET_ASSIGN_OR_RETURN(key.public_key_pem, ToPem(native->get()));
  return key;
}

StatusOr<std::vector<PublicJwk>> ReadJwks(const Json& jwks) {
  const Json* keys = jwks.is_object() ? jwks.Find("keys") : nullptr;
  if (keys == nullptr || !keys->is_array()) {
    return InvalidArgumentError("keys: required (a JWKS is {\"keys\": [...]})");
  }
  std::vector<PublicJwk> out;
  std::set<std::string> ids;
  for (size_t i = 0; i < keys->items().size(); ++i) {
    auto key = ReadPublicJwk(keys->items()[i]);
    std::string where = "keys[" + std::to_string(i) + "]";
    if (!key.ok()) return InvalidArgumentError(where + "." + key.status().message());
    if (!ids.insert(key->key_id).second) {
      return InvalidArgumentError(where + ".kid: \"" + key->key_id + "\" is used twice");
    }
    out.push_back(std::move(*key));
  }
  return out;
}

StatusOr<Json> PublicJwkFromPem(std::string_view pem, std::string_view key_id) {
  Owned<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    bio.reset(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  }
  if (key == nullptr) return InvalidArgumentError("not a PEM private or public key");
  Owned<EVP_PKEY> owned(key);
  Json jwk = Json::MakeObject();
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[32] = {};
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &length) != 1 ||
        std::string(group) != "secp384r1") {
      return InvalidArgumentError("EC keys must be on P-384 (secp384r1) for ES384");
    }
    jwk.Set("kty", Json::String("EC"));
    jwk.Set("crv", Json::String("P-384"));
    jwk.Set("x", Json::String(fhir::Base64UrlEncode(
                     BignumBytes(key, OSSL_PKEY_PARAM_EC_PUB_X, kP384CoordinateBytes))));
    jwk.Set("y", Json::String(fhir::Base64UrlEncode(
                     BignumBytes(key, OSSL_PKEY_PARAM_EC_PUB_Y, kP384CoordinateBytes))));
    jwk.Set("alg", Json::String("ES384"));
  } else if (EVP_PKEY_is_a(key, "RSA")) {
    if (EVP_PKEY_get_bits(key) < kMinRsaBits) {
      return InvalidArgumentError("RSA keys must have at least 2048 bits");
    }
    jwk.Set("kty", Json::String("RSA"));
    jwk.Set("n", Json::String(fhir::Base64UrlEncode(BignumBytes(key, OSSL_PKEY_PARAM_RSA_N, 0))));
    jwk.Set("e", Json::String(fhir::Base64UrlEncode(BignumBytes(key, OSSL_PKEY_PARAM_RSA_E, 0))));
    jwk.Set("alg", Json::String("RS384"));
  } else {
    return InvalidArgumentError("only EC P-384 and RSA keys are supported");
  }
  jwk.Set("kid", Json::String(std::string(key_id)));
  jwk.Set("use", Json::String("sig"));
  return jwk;
}

}  // namespace duet::gateway
