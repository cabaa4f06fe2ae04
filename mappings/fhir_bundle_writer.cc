#include "mappings/fhir_bundle_writer.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <utility>

#include "mappings/fhir_elements.h"
#include "mappings/resource_set.h"

namespace duet::mappings {
namespace {

using fhir::Json;

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
