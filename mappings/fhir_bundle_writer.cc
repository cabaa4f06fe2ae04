#include "mappings/fhir_bundle_writer.h"

#include <utility>

#include "mappings/bundle_entries.h"
#include "mappings/fhir_elements.h"
#include "mappings/name_based_uuid.h"
#include "mappings/resource_set.h"
#include "mappings/transaction_bundle_writer.h"

namespace duet::mappings {
namespace {

using fhir::Json;

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