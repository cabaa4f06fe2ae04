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

using bundle_detail::FullUrls;
using bundle_detail::KeyTarget;
using bundle_detail::kNoEntry;

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

}  // namespace

// The fullUrl of the entry a conditional reference names, when it names one of the Bundle.
// Writes into scratch strings it keeps from one reference to the next; one thread at a time.
class EntryReferences {
 public:
  explicit EntryReferences(const FullUrls& full_urls) : full_urls_(full_urls) {
    for (const auto& [key, full_url] : full_urls) {
      std::string_view type = std::string_view(key).substr(0, key.find('|'));
      if (std::find(types_.begin(), types_.end(), type) == types_.end()) types_.push_back(type);
    }
  }

  std::optional<std::string_view> Rewrite(std::string_view reference) {
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

namespace {

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

// The value of a JSON string as JsonTextWriter wrote it (quotes included): a view of the text
// itself when it has no escapes, else decoded into `scratch`. Knows the writer's escapes only.
std::string_view UnescapedString(std::string_view written, std::string* scratch) {
  std::string_view inner = written.substr(1, written.size() - 2);
  if (inner.find('\\') == std::string_view::npos) return inner;
  scratch->clear();
  for (size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] != '\\' || i + 1 == inner.size()) {
      scratch->push_back(inner[i]);
      continue;
    }
    char escaped = inner[++i];
    switch (escaped) {
      case 'b': scratch->push_back('\b'); break;
      case 'f': scratch->push_back('\f'); break;
      case 'n': scratch->push_back('\n'); break;
      case 'r': scratch->push_back('\r'); break;
      case 't': scratch->push_back('\t'); break;
      case 'u':  // \u00XX, the writer's escape of the other control characters
        if (i + 4 < inner.size()) {
          auto hex = [](char c) { return c <= '9' ? c - '0' : c - 'A' + 10; };
          scratch->push_back(static_cast<char>(hex(inner[i + 3]) * 16 + hex(inner[i + 4])));
          i += 4;
        }
        break;
      default: scratch->push_back(escaped);  // \" and \\ (and /)
    }
  }
  return *scratch;
}

}  // namespace

void TransactionBundleWriter::CandidateRecorder::Written(std::string_view value, size_t begin,
                                                         size_t end) {
  if (value.find(kConditionalMarker) != std::string_view::npos) {
    candidates_->push_back({begin, end});
  }
}

TransactionBundleWriter::TransactionBundleWriter() : recorder_(&candidates_) {
  constexpr size_t kTypicalRecord = size_t{32} << 10;  // a plan of care's resources: 14 KB
  resources_.Reserve(kTypicalRecord);
  resources_.Watch(kReferenceMember, &recorder_);
}

fhir::JsonTextWriter& TransactionBundleWriter::BeginResource(std::string_view type,
                                                             std::string_view system,
                                                             std::string_view value) {
  open_key_.assign(type).push_back('|');
  open_key_.append(system).push_back('|');
  open_key_.append(value);
  open_type_size_ = type.size();
  open_system_size_ = system.size();
  open_begin_ = resources_.size();
  open_first_candidate_ = candidates_.size();
  resources_.StartNextDocument();
  resources_.BeginObject();
  resources_.String("resourceType", type);
  return resources_;
}

void TransactionBundleWriter::EndResource() {
  resources_.EndObject();
  std::string_view key = open_key_;
  std::string_view system = key.substr(open_type_size_ + 1, open_system_size_);
  std::string_view value = key.substr(open_type_size_ + open_system_size_ + 2);
  AddEntry(key.substr(0, open_type_size_), system, value, nullptr, open_begin_,
           open_first_candidate_);
}

void TransactionBundleWriter::AddResource(Json resource) {
  size_t begin = resources_.size();
  size_t first_candidate = candidates_.size();
  resources_.StartNextDocument();
  resources_.Value(resource);
  std::string_view type = resource.StringOr("resourceType");
  auto identifier = BusinessIdentifierIn(resource);
  if (!identifier) {
    AddEntry(type, "", "", nullptr, begin, first_candidate);
    return;
  }
  std::vector<std::string> keys;
  ForEachIdentifier(resource, [&](const Json& item) {
    keys.push_back(TypedKey(type, item.StringOr("system"), item.StringOr("value")));
  });
  AddEntry(type, identifier->first, identifier->second, &keys, begin, first_candidate);
}

void TransactionBundleWriter::AddEntry(std::string_view type, std::string_view system,
                                       std::string_view value, const std::vector<std::string>* keys,
                                       size_t begin, size_t first_candidate) {
  Entry entry{begin, resources_.size(), first_candidate, candidates_.size(), "", false, ""};
  if (system.empty() || value.empty()) {
    entry.full_url = UuidUrn(resources_.text().substr(begin));
    entry.request_url.assign(type);
    entries_.push_back(std::move(entry));
    return;
  }
  std::string key = TypedKey(type, system, value);
  std::string full_url = UuidUrn(key);  // ResourceFullUrl(resource)
  // Every identifier of the resource names its entry, unless an earlier entry has it already.
  FullUrls::iterator business;
  if (keys == nullptr) {
    business = full_urls_.try_emplace(std::move(key), KeyTarget{full_url, kNoEntry}).first;
  } else {
    for (const std::string& other : *keys) {
      full_urls_.try_emplace(other, KeyTarget{full_url, kNoEntry});
    }
    business = full_urls_.find(key);
  }
  size_t& primary = business->second.primary_entry;
  if (primary != kNoEntry) {  // the same resource again: the later one is written
    Entry& earlier = entries_[primary];
    earlier.begin = entry.begin;
    earlier.end = entry.end;
    earlier.first_candidate = entry.first_candidate;
    earlier.end_candidate = entry.end_candidate;
    return;
  }
  primary = entries_.size();
  entry.full_url = std::move(full_url);
  entry.conditional = true;
  entry.request_url = ConditionalUrl(type, system, value);
  entries_.push_back(std::move(entry));
}

std::string TransactionBundleWriter::Finish(bool pretty) {
  fhir::JsonTextWriter bundle;
  WriteBundle(bundle);
  return pretty ? fhir::IndentJsonText(bundle.text()) : bundle.Take();
}

void TransactionBundleWriter::Finish(bool pretty, std::ostream& out) {
  fhir::JsonTextWriter bundle;
  WriteBundle(bundle);
  if (pretty) {
    fhir::IndentJsonText(bundle.text(), out);
    return;
  }
  out.write(bundle.text().data(), static_cast<std::streamsize>(bundle.size()));
}

void TransactionBundleWriter::WriteBundle(fhir::JsonTextWriter& bundle) const {
  constexpr size_t kEntryEnvelope = 256;  // fullUrl and request, at most a few hundred bytes
  bundle.Reserve(resources_.size() + entries_.size() * kEntryEnvelope);
  EntryReferences references(full_urls_);
  bundle.BeginObject();
  bundle.String("resourceType", "Bundle");
  bundle.String("type", "transaction");
  if (!entries_.empty()) {
    bundle.BeginArray("entry");
    for (const Entry& entry : entries_) {
      bundle.BeginObject();
      bundle.String("fullUrl", entry.full_url);
      bundle.Key("resource");
      WriteResource(entry, references, bundle);
      bundle.EndRaw();
      bundle.BeginObject("request");
      bundle.String("method", entry.conditional ? "PUT" : "POST");
      bundle.String("url", entry.request_url);
      bundle.EndObject();
      bundle.EndObject();
    }
    bundle.EndArray();
  }
  bundle.EndObject();
}

void TransactionBundleWriter::WriteResource(const Entry& entry, EntryReferences& references,
                                            fhir::JsonTextWriter& bundle) const {
  std::string scratch;
  std::string_view text = resources_.text();
  size_t at = entry.begin;
  for (size_t i = entry.first_candidate; i < entry.end_candidate; ++i) {
    const Candidate& candidate = candidates_[i];
    std::string_view written = text.substr(candidate.begin, candidate.end - candidate.begin);
    auto full_url = references.Rewrite(UnescapedString(written, &scratch));
    if (!full_url) continue;
    bundle.Raw(text.substr(at, candidate.begin - at));
    bundle.Raw("\"");
    bundle.Raw(*full_url);  // urn:uuid:<hex>: nothing to escape
    bundle.Raw("\"");
    at = candidate.end;
  }
  bundle.Raw(text.substr(at, entry.end - at));
}

std::string WriteTransactionBundle(std::vector<Json> resources, bool pretty) {
  TransactionBundleWriter writer;
  for (Json& resource : resources) writer.AddResource(std::move(resource));
  return writer.Finish(pretty);
}

void WriteTransactionBundle(std::vector<Json> resources, bool pretty, std::ostream& out) {
  TransactionBundleWriter writer;
  for (Json& resource : resources) writer.AddResource(std::move(resource));
  writer.Finish(pretty, out);
}

}  // namespace duet::mappings
