#include "gateway/http/request_id.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <random>

namespace duet::gateway {

bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

std::string AcceptOrMakeRequestId(const std::string* incoming) {
  if (incoming != nullptr && IsAcceptableRequestId(*incoming)) return *incoming;
  return MakeRequestId();
}

std::string MakeRequestId() {
  // Per-thread generator seeded once from the OS: ids need to be unique, not secret.
  thread_local std::mt19937_64 generator([] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = generator();
    for (int i = 0; i < 16; ++i) {
      id[half * 16 + i] = kHex[bits & 0xf];
      bits >>= 4;
    }
  }
  return id;
}

}  // namespace duet::gateway
