#include "mappings/bundle_entries.h"

#include <algorithm>

#include "mappings/fhir_elements.h"

namespace duet::mappings {
namespace {

// PercentDecode of fhir_elements.cc, into `out`; `text` itself when there is nothing to decode.
std::string_view DecodedQuery(std::string_view text, std::string* out) {
  if (text.find('%') == std::string_view::npos) return text;
  *out = DecodePercent(text);
  return *out;
}

// TypedKey(ParseConditionalReference(reference)) into `key_out`, without the intermediate
// strings; false when `reference` is not a conditional reference. Must agree with
// ParseConditionalReference (fhir_elements.cc).
bool ConditionalKey(std::string_view reference, std::string* decoded, std::string* key_out) {
  size_t marker = reference.find(kConditionalMarker);
  if (marker == std::string_view::npos || marker == 0) return false;
  if (reference.find("://") < marker) return false;
  std::string_view query = reference.substr(marker + kConditionalMarker.size());
  if (query.find('&') != std::string_view::npos) return false;
  std::string_view token = DecodedQuery(query, decoded);
  std::string& key = *key_out;
  key.assign(reference.substr(0, marker)).push_back('|');
  bool split = false;  // SplitToken: the first unescaped bar separates system and value
  size_t run = 0;      // start of the plain bytes not yet appended
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '\\' && i + 1 < token.size()) {  // an escaped byte stands for itself
      key.append(token.substr(run, i - run)).push_back(token[i + 1]);
      ++i;
      run = i + 1;
    } else if (token[i] == '|' && !split) {
      key.append(token.substr(run, i - run)).push_back('|');
      split = true;
      run = i + 1;
    }
  }
  key.append(token.substr(run));
  return split;
}

}  // namespace

std::string TypedKey(std::string_view type, std::string_view system, std::string_view value) {
  std::string key;
  key.reserve(type.size() + system.size() + value.size() + 2);
  key.append(type).append(1, '|').append(system).append(1, '|').append(value);
  return key;
}

// BusinessIdentifier (resource_set.h) without copying its parts: they point into `resource`.
std::optional<std::pair<std::string_view, std::string_view>> BusinessIdentifierIn(
    const fhir::Json& resource) {
  std::optional<std::pair<std::string_view, std::string_view>> found;
  ForEachIdentifier(resource, [&](const fhir::Json& identifier) {
    std::string_view system = identifier.StringOr("system");
    std::string_view value = identifier.StringOr("value");
    if (!found && !system.empty() && !value.empty()) found.emplace(system, value);
  });
  return found;
}

EntryReferences::EntryReferences(const FullUrls& full_urls) : full_urls_(full_urls) {
  for (const auto& [key, target] : full_urls) {
    std::string_view type = std::string_view(key).substr(0, key.find('|'));
    if (std::find(types_.begin(), types_.end(), type) == types_.end()) types_.push_back(type);
  }
}

std::optional<std::string_view> EntryReferences::Rewrite(std::string_view reference) {
  // Most references name a resource outside the Bundle (the patient, clinicians): a look at
  // their type spares building and hashing their key.
  size_t marker = reference.find(kConditionalMarker);
  if (marker == std::string_view::npos ||
      std::find(types_.begin(), types_.end(), reference.substr(0, marker)) == types_.end()) {
    return std::nullopt;
  }
  if (!ConditionalKey(reference, &decoded_, &key_)) return std::nullopt;
  auto found = full_urls_.find(key_);
  if (found == full_urls_.end()) return std::nullopt;
  return std::string_view(found->second.full_url);
}

}  // namespace duet::mappings
