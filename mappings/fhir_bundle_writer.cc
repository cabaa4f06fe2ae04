#include "mappings/fhir_bundle_writer.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "mappings/fhir_elements.h"
#include "mappings/resource_set.h"

namespace duet::mappings {
namespace {

using fhir::Json;

// SHA-1 (FIPS 180-4), only to derive name-based UUIDs; not used for security.
std::array<uint8_t, 20> Sha1(std::string_view data) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string message(data);
  uint64_t bit_length = static_cast<uint64_t>(data.size()) * 8;
  message.push_back(static_cast<char>(0x80));
  while (message.size() % 64 != 56) message.push_back('\0');
  for (int shift = 56; shift >= 0; shift -= 8) {
    message.push_back(static_cast<char>((bit_length >> shift) & 0xFF));
  }
  auto rotl = [](uint32_t x, int n) { return (x << n) | (x >> (32 - n)); };
  for (size_t chunk = 0; chunk < message.size(); chunk += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(message.data() + chunk + 4 * i);
      w[i] = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    }
    for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f;
      uint32_t k;
      if (i < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6;
      }
      uint32_t temp = rotl(a, 5) + f + e + k + w[i];
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = temp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  std::array<uint8_t, 20> digest{};
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 4; ++j) digest[4 * i + j] = static_cast<uint8_t>(h[i] >> (24 - 8 * j));
  }
  return digest;
}

// The RFC 4122 URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
constexpr std::array<uint8_t, 16> kUrlNamespace = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                                   0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};

std::string TypedKey(std::string_view type, std::string_view system, std::string_view value) {
  std::string key(type);
  key.append("|").append(system).append("|").append(value);
  return key;
}

// Rewrites conditional references that name an entry of the Bundle to the entry's fullUrl.
void RewriteReferences(Json& value, const std::map<std::string, std::string>& full_urls) {
  if (value.is_array()) {
    for (Json& item : value.items()) RewriteReferences(item, full_urls);
    return;
  }
  if (!value.is_object()) return;
  for (auto& [key, member] : value.members()) {
    if (key == "reference" && member.is_string()) {
      if (auto parts = ParseConditionalReference(member.string_value())) {
        auto found = full_urls.find(TypedKey(parts->type, parts->system, parts->value));
        if (found != full_urls.end()) member = Str(found->second);
      }
    } else {
      RewriteReferences(member, full_urls);
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
  std::string input(kUrlNamespace.begin(), kUrlNamespace.end());
  input.append(name);
  std::array<uint8_t, 20> digest = Sha1(input);
  digest[6] = static_cast<uint8_t>((digest[6] & 0x0F) | 0x50);
  digest[8] = static_cast<uint8_t>((digest[8] & 0x3F) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string uuid;
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
  std::map<std::string, size_t> entry_by_key;    // primary "Type|system|value" → entry
  std::map<std::string, std::string> full_urls;  // any "Type|system|value" → fullUrl
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
    std::string full_url = ResourceFullUrl(resource);
    for (std::string& other : IdentifierKeys(type, resource)) {
      full_urls.emplace(std::move(other), full_url);
    }
    Json request = Obj({{"method", Str("PUT")},
                        {"url", Str(ConditionalUrl(type, identifier->first, identifier->second))}});
    auto existing = entry_by_key.find(key);
    if (existing != entry_by_key.end()) {
      entries[existing->second].resource = std::move(resource);
    } else {
      entry_by_key[key] = entries.size();
      entries.push_back({full_url, std::move(resource), std::move(request)});
    }
  }
  Json entry_list = Json::MakeArray();
  for (Entry& entry : entries) {
    RewriteReferences(entry.resource, full_urls);
    entry_list.Append(Obj({{"fullUrl", Str(entry.full_url)},
                           {"resource", std::move(entry.resource)},
                           {"request", std::move(entry.request)}}));
  }
  return Obj({{"resourceType", Str("Bundle")},
              {"type", Str("transaction")},
              {"entry", entry_list.items().empty() ? Json() : std::move(entry_list)}});
}

}  // namespace duet::mappings
