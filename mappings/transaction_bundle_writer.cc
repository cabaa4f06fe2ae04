#include "mappings/transaction_bundle_writer.h"

#include <utility>

#include "mappings/fhir_elements.h"
#include "mappings/name_based_uuid.h"

namespace duet::mappings {

using fhir::Json;

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

}  // namespace duet::mappings
