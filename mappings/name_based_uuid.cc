#include "mappings/name_based_uuid.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

namespace duet::mappings {
namespace {

// The RFC 4122 URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
constexpr std::array<uint8_t, 16> kUrlNamespace = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                                   0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};

// SHA-1 is needed here only because RFC 4122 defines version 5 UUIDs with it (no security rests
// on it), and every OpenSSL build has it. A failure means the library itself is unusable (no
// default provider), which the gateway's TLS could not survive either: said, then fatal.
[[noreturn]] void DigestUnavailable() {
  std::fputs("duet: OpenSSL cannot compute SHA-1 (needed for name-based UUIDs)\n", stderr);
  std::abort();
}

const EVP_MD* Sha1() {
  // Fetched once: an implicit fetch at every digest would cost more than the digest itself.
  static EVP_MD* const sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  if (sha1 == nullptr) DigestUnavailable();
  return sha1;
}

struct ContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// This thread's digest context, reused for every UUID the thread derives.
EVP_MD_CTX* ThreadContext() {
  thread_local std::unique_ptr<EVP_MD_CTX, ContextDeleter> context(EVP_MD_CTX_new());
  if (context == nullptr) DigestUnavailable();
  return context.get();
}

std::array<uint8_t, EVP_MAX_MD_SIZE> Sha1OfNamespaceAndName(std::string_view name) {
  EVP_MD_CTX* context = ThreadContext();
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_DigestInit_ex2(context, Sha1(), nullptr) != 1 ||
      EVP_DigestUpdate(context, kUrlNamespace.data(), kUrlNamespace.size()) != 1 ||
      EVP_DigestUpdate(context, name.data(), name.size()) != 1 ||
      EVP_DigestFinal_ex(context, digest.data(), &size) != 1 || size != 20) {
    DigestUnavailable();
  }
  return digest;
}

constexpr std::string_view kUrnPrefix = "urn:uuid:";
constexpr size_t kUuidSize = 36;

// Writes the version 5 UUID of `name` into `out` (kUuidSize bytes, not terminated).
void WriteUuid(std::string_view name, char* out) {
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest = Sha1OfNamespaceAndName(name);
  digest[6] = static_cast<uint8_t>((digest[6] & 0x0F) | 0x50);  // version 5
  digest[8] = static_cast<uint8_t>((digest[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *out++ = '-';
    *out++ = kHex[digest[i] >> 4];
    *out++ = kHex[digest[i] & 0xF];
  }
}

}  // namespace

std::string DeterministicUuid(std::string_view name) {
  std::array<char, kUuidSize> uuid;
  WriteUuid(name, uuid.data());
  return std::string(uuid.data(), uuid.size());
}

std::string UuidUrn(std::string_view name) {
  std::array<char, kUrnPrefix.size() + kUuidSize> urn;
  std::copy(kUrnPrefix.begin(), kUrnPrefix.end(), urn.begin());
  WriteUuid(name, urn.data() + kUrnPrefix.size());
  return std::string(urn.data(), urn.size());
}

}  // namespace duet::mappings
