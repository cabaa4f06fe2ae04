#include "mappings/fhir_bundle_writer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <utility>

#include "mappings/fhir_elements.h"
#include "mappings/resource_set.h"

namespace duet::mappings {
namespace {

using fhir::Json;

// SHA-1 (FIPS 180-4), only to derive name-based UUIDs; not used for security. Streaming, so that
// the namespace and the name are hashed without first being copied into one message.
class Sha1 {
 public:
  void Update(std::string_view data) {
    length_ += data.size();
    while (!data.empty()) {
      size_t take = std::min(data.size(), kBlockSize - buffered_);
      std::memcpy(block_.data() + buffered_, data.data(), take);
      buffered_ += take;
      data.remove_prefix(take);
      if (buffered_ == kBlockSize) {
        Compress(block_.data());
        buffered_ = 0;
      }
    }
  }

  std::array<uint8_t, 20> Final() {
    uint64_t bit_length = length_ * 8;
    block_[buffered_++] = 0x80;
    if (buffered_ > kBlockSize - 8) {
      std::fill(block_.begin() + static_cast<std::ptrdiff_t>(buffered_), block_.end(), 0);
      Compress(block_.data());
      buffered_ = 0;
    }
    std::fill(block_.begin() + static_cast<std::ptrdiff_t>(buffered_), block_.end() - 8, 0);
    for (int i = 0; i < 8; ++i) {
      block_[kBlockSize - 1 - i] = static_cast<uint8_t>(bit_length >> (8 * i));
    }
    Compress(block_.data());
    std::array<uint8_t, 20> digest{};
    for (int i = 0; i < 5; ++i) {
      for (int j = 0; j < 4; ++j) digest[4 * i + j] = static_cast<uint8_t>(h_[i] >> (24 - 8 * j));
    }
    return digest;
  }

 private:
  static constexpr size_t kBlockSize = 64;

  static uint32_t Rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

  // One round: e takes the new value and b is rotated; the caller renames the variables instead
  // of moving all five along.
  template <typename Function>
  static void Round(uint32_t a, uint32_t& b, uint32_t c, uint32_t d, uint32_t& e, Function function,
                    uint32_t k, uint32_t word) {
    e += Rotl(a, 5) + function(b, c, d) + k + word;
    b = Rotl(b, 30);
  }

  // Five rounds, after which the variables are back in their roles.
  template <typename Function>
  static void FiveRounds(uint32_t& a, uint32_t& b, uint32_t& c, uint32_t& d, uint32_t& e,
                         Function function, uint32_t k, const uint32_t* w) {
    Round(a, b, c, d, e, function, k, w[0]);
    Round(e, a, b, c, d, function, k, w[1]);
    Round(d, e, a, b, c, function, k, w[2]);
    Round(c, d, e, a, b, function, k, w[3]);
    Round(b, c, d, e, a, function, k, w[4]);
  }

  void Compress(const uint8_t* p) {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      w[i] = (uint32_t{p[4 * i]} << 24) | (uint32_t{p[4 * i + 1]} << 16) |
             (uint32_t{p[4 * i + 2]} << 8) | p[4 * i + 3];
    }
    for (int i = 16; i < 80; ++i) w[i] = Rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
    // The four 20-round stages, each with its own function and constant.
    auto choose = [](uint32_t x, uint32_t y, uint32_t z) { return (x & y) | (~x & z); };
    auto parity = [](uint32_t x, uint32_t y, uint32_t z) { return x ^ y ^ z; };
    auto majority = [](uint32_t x, uint32_t y, uint32_t z) { return (x & y) | (x & z) | (y & z); };
    for (int i = 0; i < 20; i += 5) FiveRounds(a, b, c, d, e, choose, 0x5A827999, w + i);
    for (int i = 20; i < 40; i += 5) FiveRounds(a, b, c, d, e, parity, 0x6ED9EBA1, w + i);
    for (int i = 40; i < 60; i += 5) FiveRounds(a, b, c, d, e, majority, 0x8F1BBCDC, w + i);
    for (int i = 60; i < 80; i += 5) FiveRounds(a, b, c, d, e, parity, 0xCA62C1D6, w + i);
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
  }

  uint32_t h_[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::array<uint8_t, kBlockSize> block_{};
  size_t buffered_ = 0;
  uint64_t length_ = 0;
};

// The RFC 4122 URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
constexpr std::array<uint8_t, 16> kUrlNamespace = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                                   0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};

std::string TypedKey(std::string_view type, std::string_view system, std::string_view value) {
  std::string key(type);
  key.append("|").append(system).append("|").append(value);
  return key;
}

using FullUrls = std::unordered_map<std::string, std::string>;  // "Type|system|value" → fullUrl

// Scratch strings reused across the references of one Bundle.
struct ReferenceScratch {
  std::string decoded;
  std::string key;
};

// PercentDecode of fhir_elements.cc, into `out`; `text` itself when there is nothing to decode.
std::string_view DecodedQuery(std::string_view text, std::string* out) {
  if (text.find('%') == std::string_view::npos) return text;
  *out = DecodePercent(text);
  return *out;
}

// TypedKey(ParseConditionalReference(reference)) into `scratch->key`, without the intermediate
// strings; false when `reference` is not a conditional reference. Must agree with
// ParseConditionalReference (fhir_elements.cc).
bool ConditionalKey(std::string_view reference, ReferenceScratch* scratch) {
  static constexpr std::string_view kMarker = "?identifier=";
  size_t marker = reference.find(kMarker);
  if (marker == std::string_view::npos || marker == 0) return false;
  if (reference.find("://") < marker) return false;
  std::string_view query = reference.substr(marker + kMarker.size());
  if (query.find('&') != std::string_view::npos) return false;
  std::string_view token = DecodedQuery(query, &scratch->decoded);
  std::string& key = scratch->key;
  key.assign(reference.substr(0, marker)).push_back('|');
  bool split = false;  // SplitToken: the first unescaped bar separates system and value
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '\\' && i + 1 < token.size()) {
      key.push_back(token[++i]);
    } else if (token[i] == '|' && !split) {
      split = true;
      key.push_back('|');
    } else {
      key.push_back(token[i]);
    }
  }
  return split;
}

// Rewrites conditional references that name an entry of the Bundle to the entry's fullUrl.
void RewriteReferences(Json& value, const FullUrls& full_urls, ReferenceScratch* scratch) {
  if (value.is_array()) {
    for (Json& item : value.items()) RewriteReferences(item, full_urls, scratch);
    return;
  }
  if (!value.is_object()) return;
  static constexpr std::string_view kReference = "reference";
  for (auto& [key, member] : value.members()) {
    if (key == kReference && member.is_string()) {
      if (ConditionalKey(member.string_value(), scratch)) {
        auto found = full_urls.find(scratch->key);
        if (found != full_urls.end()) member = Str(found->second);
      }
    } else {
      RewriteReferences(member, full_urls, scratch);
    }
  }
}

// The "Type|system|value" keys of every identifier of the resource.
std::vector<std::string> IdentifierKeys(const std::string& type, const Json& resource) {
  const Json* all = resource.Find("identifier");
  std::vector<const Json*> identifiers;
  if (all != nullptr && all->is_array()) {
    for (const Json& item : all->items()) identifiers.push_back(&item);
  } else if (all != nullptr && all->is_object()) {
    identifiers.push_back(all);
  }
  std::vector<std::string> keys;
  for (const Json* item : identifiers) {
    keys.push_back(TypedKey(type, item->StringOr("system"), item->StringOr("value")));
  }
  return keys;
}

}  // namespace

std::string DeterministicUuid(std::string_view name) {
  Sha1 sha1;
  sha1.Update(
      std::string_view(reinterpret_cast<const char*>(kUrlNamespace.data()), kUrlNamespace.size()));
  sha1.Update(name);
  std::array<uint8_t, 20> digest = sha1.Final();
  digest[6] = static_cast<uint8_t>((digest[6] & 0x0F) | 0x50);
  digest[8] = static_cast<uint8_t>((digest[8] & 0x3F) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string uuid;
  uuid.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) uuid.push_back('-');
    uuid.push_back(kHex[digest[i] >> 4]);
    uuid.push_back(kHex[digest[i] & 0xF]);
  }
  return uuid;
}

std::string ResourceFullUrl(const Json& resource) {
  auto identifier = BusinessIdentifier(resource);
  if (!identifier) return "";
  return "urn:uuid:" + DeterministicUuid(TypedKey(resource.StringOr("resourceType"),
                                                  identifier->first, identifier->second));
}

Json ToTransactionBundle(std::vector<Json> resources) {
  struct Entry {
    std::string full_url;
    Json resource;
    Json request;
  };
  std::vector<Entry> entries;
  entries.reserve(resources.size());
  std::unordered_map<std::string, size_t> entry_by_key;  // primary "Type|system|value" → entry
  FullUrls full_urls;                                    // any "Type|system|value" → fullUrl
  for (Json& resource : resources) {
    std::string type(resource.StringOr("resourceType"));
    auto identifier = BusinessIdentifier(resource);
    if (!identifier) {
      std::string full_url = "urn:uuid:" + DeterministicUuid(fhir::WriteJson(resource));
      entries.push_back(
          {full_url, std::move(resource), Obj({{"method", Str("POST")}, {"url", Str(type)}})});
      continue;
    }
    std::string key = TypedKey(type, identifier->first, identifier->second);
    std::string full_url = "urn:uuid:" + DeterministicUuid(key);  // ResourceFullUrl(resource)
    for (std::string& other : IdentifierKeys(type, resource)) {
      full_urls.emplace(std::move(other), full_url);
    }
    Json request = Obj({{"method", Str("PUT")},
                        {"url", Str(ConditionalUrl(type, identifier->first, identifier->second))}});
    auto existing = entry_by_key.find(key);
    if (existing != entry_by_key.end()) {
      entries[existing->second].resource = std::move(resource);
    } else {
      entry_by_key.emplace(std::move(key), entries.size());
      entries.push_back({std::move(full_url), std::move(resource), std::move(request)});
    }
  }
  Json entry_list = Json::MakeArray();
  entry_list.items().reserve(entries.size());
  ReferenceScratch scratch;
  for (Entry& entry : entries) {
    RewriteReferences(entry.resource, full_urls, &scratch);
    entry_list.Append(Obj({{"fullUrl", Json::String(std::move(entry.full_url))},
                           {"resource", std::move(entry.resource)},
                           {"request", std::move(entry.request)}}));
  }
  return Obj({{"resourceType", Str("Bundle")},
              {"type", Str("transaction")},
              {"entry", entry_list.items().empty() ? Json() : std::move(entry_list)}});
}

}  // namespace duet::mappings
