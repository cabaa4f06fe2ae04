#include "mappings/fhir_bundle_writer.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <utility>

#include "mappings/fhir_elements.h"
#include "mappings/name_based_uuid.h"
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

constexpr std::string_view kConditionalMarker = "?identifier=";

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
  size_t marker = reference.find(kConditionalMarker);
  if (marker == std::string_view::npos || marker == 0) return false;
  if (reference.find("://") < marker) return false;
  std::string_view query = reference.substr(marker + kConditionalMarker.size());
  if (query.find('&') != std::string_view::npos) return false;
  std::string_view token = DecodedQuery(query, &scratch->decoded);
  std::string& key = scratch->key;
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

// The fullUrl of the entry a conditional reference names, when it names one of the Bundle.
// Writes into scratch strings it keeps from one reference to the next; one thread at a time.
class EntryReferences : public fhir::JsonStringRewriter {
 public:
  explicit EntryReferences(const FullUrls& full_urls) : full_urls_(full_urls) {
    for (const auto& [key, full_url] : full_urls) {
      std::string_view type = std::string_view(key).substr(0, key.find('|'));
      if (std::find(types_.begin(), types_.end(), type) == types_.end()) types_.push_back(type);
    }
  }

  std::optional<std::string_view> Rewrite(std::string_view reference) override {
    // Most references name a resource outside the Bundle (the patient, clinicians): a look at
    // their type spares building and hashing their key.
    size_t marker = reference.find(kConditionalMarker);
    if (marker == std::string_view::npos ||
        std::find(types_.begin(), types_.end(), reference.substr(0, marker)) == types_.end()) {
      return std::nullopt;
    }
    if (!ConditionalKey(reference, &scratch_)) return std::nullopt;
    auto found = full_urls_.find(scratch_.key);
    if (found == full_urls_.end()) return std::nullopt;
    return std::string_view(found->second);
  }

 private:
  const FullUrls& full_urls_;
  std::vector<std::string_view> types_;  // of the keys of full_urls_
  ReferenceScratch scratch_;
};

constexpr std::string_view kReferenceMember = "reference";

// Rewrites conditional references that name an entry of the Bundle to the entry's fullUrl.
void RewriteReferences(Json& value, EntryReferences& references) {
  if (value.is_array()) {
    for (Json& item : value.items()) RewriteReferences(item, references);
    return;
  }
  if (!value.is_object()) return;
  for (auto& [key, member] : value.members()) {
    if (key == kReferenceMember && member.is_string()) {
      if (auto full_url = references.Rewrite(member.string_value())) member = Str(*full_url);
    } else {
      RewriteReferences(member, references);
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

namespace {

struct Entry {
  std::string full_url;
  Json resource;
  Json request;
};

// The Bundle's entries, in order, and the fullUrl of every identifier they carry.
struct PlannedEntries {
  std::vector<Entry> entries;
  FullUrls full_urls;  // any "Type|system|value" → fullUrl
};

PlannedEntries PlanEntries(std::vector<Json> resources) {
  PlannedEntries plan;
  std::vector<Entry>& entries = plan.entries;
  entries.reserve(resources.size());
  std::unordered_map<std::string, size_t> entry_by_key;  // primary "Type|system|value" → entry
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
      plan.full_urls.emplace(std::move(other), full_url);
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
  return plan;
}

Json BundleOf(std::vector<Entry> entries) {
  Json entry_list = Json::MakeArray();
  entry_list.items().reserve(entries.size());
  for (Entry& entry : entries) {
    entry_list.Append(Obj({{"fullUrl", Json::String(std::move(entry.full_url))},
                           {"resource", std::move(entry.resource)},
                           {"request", std::move(entry.request)}}));
  }
  return Obj({{"resourceType", Str("Bundle")},
              {"type", Str("transaction")},
              {"entry", entry_list.items().empty() ? Json() : std::move(entry_list)}});
}

}  // namespace

Json ToTransactionBundle(std::vector<Json> resources) {
  PlannedEntries plan = PlanEntries(std::move(resources));
  EntryReferences references(plan.full_urls);
  for (Entry& entry : plan.entries) RewriteReferences(entry.resource, references);
  return BundleOf(std::move(plan.entries));
}

std::string WriteTransactionBundle(std::vector<Json> resources, bool pretty) {
  PlannedEntries plan = PlanEntries(std::move(resources));
  EntryReferences references(plan.full_urls);
  fhir::JsonWriteOptions options;
  options.pretty = pretty;
  options.rewritten_member = kReferenceMember;
  options.rewriter = &references;
  return fhir::WriteJson(BundleOf(std::move(plan.entries)), options);
}

}  // namespace duet::mappings
