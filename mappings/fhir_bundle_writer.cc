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
  std::string key;
  key.reserve(type.size() + system.size() + value.size() + 2);
  key.append(type).append(1, '|').append(system).append(1, '|').append(value);
  return key;
}

constexpr size_t kNoEntry = static_cast<size_t>(-1);

// What a "Type|system|value" key stands for in the Bundle.
struct KeyTarget {
  std::string full_url;  // of the first entry whose resource carries that identifier
  size_t primary_entry;  // the entry whose business identifier it is, or kNoEntry
};
using FullUrls = std::unordered_map<std::string, KeyTarget>;

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
    return std::string_view(found->second.full_url);
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

// Calls visit(identifier) for each Identifier of the resource (Identifier or Identifier[]).
template <typename Visit>
void ForEachIdentifier(const Json& resource, Visit visit) {
  const Json* all = resource.Find("identifier");
  if (all == nullptr) return;
  if (all->is_object()) visit(*all);
  if (!all->is_array()) return;
  for (const Json& item : all->items()) {
    if (item.is_object()) visit(item);
  }
}

// BusinessIdentifier (resource_set.h) without copying its parts: they point into `resource`.
std::optional<std::pair<std::string_view, std::string_view>> BusinessIdentifierIn(
    const Json& resource) {
  std::optional<std::pair<std::string_view, std::string_view>> found;
  ForEachIdentifier(resource, [&](const Json& identifier) {
    std::string_view system = identifier.StringOr("system");
    std::string_view value = identifier.StringOr("value");
    if (!found && !system.empty() && !value.empty()) found.emplace(system, value);
  });
  return found;
}

}  // namespace

std::string ResourceFullUrl(const Json& resource) {
  auto identifier = BusinessIdentifier(resource);
  if (!identifier) return "";
  return UuidUrn(
      TypedKey(resource.StringOr("resourceType"), identifier->first, identifier->second));
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
  plan.full_urls.reserve(resources.size());
  for (Json& resource : resources) {
    std::string_view type = resource.StringOr("resourceType");
    auto identifier = BusinessIdentifierIn(resource);
    if (!identifier) {
      Json request = Obj({{"method", Str("POST")}, {"url", Str(type)}});
      entries.push_back(
          {UuidUrn(fhir::WriteJson(resource)), std::move(resource), std::move(request)});
      continue;
    }
    std::string key = TypedKey(type, identifier->first, identifier->second);
    std::string full_url = UuidUrn(key);  // ResourceFullUrl(resource)
    // Every identifier of the resource names its entry, unless an earlier entry has it already.
    ForEachIdentifier(resource, [&](const Json& item) {
      std::string other = TypedKey(type, item.StringOr("system"), item.StringOr("value"));
      plan.full_urls.try_emplace(std::move(other), KeyTarget{full_url, kNoEntry});
    });
    size_t& primary = plan.full_urls.find(key)->second.primary_entry;
    if (primary != kNoEntry) {  // the same resource again: the later one is written
      entries[primary].resource = std::move(resource);
      continue;
    }
    primary = entries.size();
    Json request = Obj({{"method", Str("PUT")},
                        {"url", Str(ConditionalUrl(type, identifier->first, identifier->second))}});
    entries.push_back({std::move(full_url), std::move(resource), std::move(request)});
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

namespace {

// Plans the Bundle of `resources` and hands its tree to `write` with the options that rewrite
// references to its entries as they are written.
template <typename Write>
auto WithBundle(std::vector<Json> resources, bool pretty, Write write) {
  PlannedEntries plan = PlanEntries(std::move(resources));
  EntryReferences references(plan.full_urls);
  fhir::JsonWriteOptions options;
  options.pretty = pretty;
  options.rewritten_member = kReferenceMember;
  options.rewriter = &references;
  return write(BundleOf(std::move(plan.entries)), options);
}

}  // namespace

std::string WriteTransactionBundle(std::vector<Json> resources, bool pretty) {
  return WithBundle(std::move(resources), pretty,
                    [](const Json& bundle, const fhir::JsonWriteOptions& options) {
                      return fhir::WriteJson(bundle, options);
                    });
}

void WriteTransactionBundle(std::vector<Json> resources, bool pretty, std::ostream& out) {
  WithBundle(std::move(resources), pretty,
             [&](const Json& bundle, const fhir::JsonWriteOptions& options) {
               fhir::WriteJson(bundle, options, out);
             });
}

}  // namespace duet::mappings
