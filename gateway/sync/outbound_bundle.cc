#include "gateway/sync/outbound_bundle.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "gateway/workflow/workflow_support.h"
#include "mappings/fhir_bundle_writer.h"
#include "mappings/fhir_elements.h"
#include "mappings/resource_set.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr int kMaxDepth = 3;
constexpr size_t kMaxResources = 500;

std::string Key(const std::string& type, const std::string& id) { return type + "/" + id; }

// Rewrites every literal reference to its target's conditional reference by business identifier.
void ToIdentifierReferences(Json& value, const std::map<std::string, std::string>& conditional) {
  if (value.is_array()) {
    for (Json& item : value.items()) ToIdentifierReferences(item, conditional);
    return;
  }
  if (!value.is_object()) return;
  for (auto& [key, member] : value.members()) {
    if (key == "reference" && member.is_string()) {
      LiteralReference reference;
      if (!ParseLiteralReference(member.string_value(), &reference)) continue;
      auto found = conditional.find(Key(reference.type, reference.id));
      if (found != conditional.end()) member = Json::String(found->second);
    } else {
      ToIdentifierReferences(member, conditional);
    }
  }
}

void DropServerFields(Json& resource) {
  resource.Remove("id");
  if (Json* meta = resource.Find("meta")) {
    meta->Remove("versionId");
    meta->Remove("lastUpdated");
    if (meta->members().empty()) resource.Remove("meta");
  }
}

}  // namespace

StatusOr<std::vector<Json>> GatherOutbound(ResourceStore& store, const StoredResource& root,
                                           OutboundOrigins* origins) {
  DUET_ASSIGN_OR_RETURN(std::vector<ReachedResource> reached,
                        WalkReferences(store, {{root, 0}}, kMaxDepth, kMaxResources));
  std::vector<std::pair<std::string, Json>> gathered;   // "Type/id" → resource
  std::map<std::string, const StoredResource*> stored;  // "Type/id" → its version
  for (ReachedResource& resource : reached) {
    std::string key = Key(resource.stored.type, resource.stored.id);
    stored[key] = &resource.stored;
    gathered.emplace_back(std::move(key), std::move(resource.json));
  }
  std::map<std::string, std::string> conditional;
  for (const auto& [key, resource] : gathered) {
    auto identifier = mappings::BusinessIdentifier(resource);
    if (!identifier) continue;
    conditional[key] = mappings::ConditionalUrl(resource.StringOr("resourceType"),
                                                identifier->first, identifier->second);
  }
  std::vector<Json> resources;
  for (auto& [key, resource] : gathered) {
    if (conditional.count(key) == 0) continue;  // no business identifier: cannot be upserted
    if (origins != nullptr) (*origins)[conditional[key]] = *stored[key];
    ToIdentifierReferences(resource, conditional);
    DropServerFields(resource);
    resources.push_back(std::move(resource));
  }
  return resources;
}

Json OutboundTransaction(std::vector<Json> resources) {
  return mappings::ToTransactionBundle(std::move(resources));
}

namespace {

void CollectConditionalReferences(const Json& value, std::set<std::string>* out) {
  if (value.is_array()) {
    for (const Json& item : value.items()) CollectConditionalReferences(item, out);
  } else if (value.is_object()) {
    for (const auto& [key, member] : value.members()) {
      if (key == "reference" && member.is_string()) {
        if (member.string_value().find('?') != std::string::npos)
          out->insert(member.string_value());
      } else {
        CollectConditionalReferences(member, out);
      }
    }
  }
}

}  // namespace

std::string OutboundKey(const Json& resource) {
  auto identifier = mappings::BusinessIdentifier(resource);
  return identifier ? mappings::ConditionalUrl(resource.StringOr("resourceType"), identifier->first,
                                               identifier->second)
                    : "";
}

std::vector<std::vector<Json>> OutboundChunks(std::vector<Json> resources, size_t max_entries) {
  // Kahn's order over the references between the resources; a cycle keeps the rest as it is.
  std::vector<std::string> urls;
  for (const Json& resource : resources) urls.push_back(OutboundKey(resource));
  std::vector<std::set<std::string>> needs(resources.size());
  for (size_t i = 0; i < resources.size(); ++i) {
    std::set<std::string> referenced;
    CollectConditionalReferences(resources[i], &referenced);
    for (const std::string& url : referenced) {
      if (url != urls[i] && std::find(urls.begin(), urls.end(), url) != urls.end()) {
        needs[i].insert(url);
      }
    }
  }
  std::vector<Json> ordered;
  std::vector<bool> placed(resources.size(), false);
  std::set<std::string> done;
  while (ordered.size() < resources.size()) {
    bool progress = false;
    for (size_t i = 0; i < resources.size(); ++i) {
      if (placed[i]) continue;
      bool ready = std::all_of(needs[i].begin(), needs[i].end(),
                               [&](const std::string& url) { return done.count(url) != 0; });
      if (!ready) continue;
      placed[i] = true;
      done.insert(urls[i]);
      ordered.push_back(std::move(resources[i]));
      progress = true;
    }
    if (!progress) {
      for (size_t i = 0; i < resources.size(); ++i) {
        if (!placed[i]) ordered.push_back(std::move(resources[i]));
      }
      break;
    }
  }
  std::vector<std::vector<Json>> chunks;
  for (Json& resource : ordered) {
    if (chunks.empty() || (max_entries > 0 && chunks.back().size() >= max_entries)) {
      chunks.emplace_back();
    }
    chunks.back().push_back(std::move(resource));
  }
  return chunks;
}

void UsePartnerReferences(Json& resource, const std::map<std::string, std::string>& partner) {
  if (resource.is_array()) {
    for (Json& item : resource.items()) UsePartnerReferences(item, partner);
  } else if (resource.is_object()) {
    for (auto& [key, member] : resource.members()) {
      if (key == "reference" && member.is_string()) {
        auto found = partner.find(member.string_value());
        if (found != partner.end()) member = Json::String(found->second);
      } else {
        UsePartnerReferences(member, partner);
      }
    }
  }
}

void CollectPartnerReferences(const Json& request, const Json& response,
                              std::map<std::string, std::string>* partner) {
  const Json* sent = request.Find("entry");
  const Json* answered = response.Find("entry");
  if (sent == nullptr || answered == nullptr || !sent->is_array() || !answered->is_array()) return;
  for (size_t i = 0; i < sent->items().size() && i < answered->items().size(); ++i) {
    const Json* entry_request = sent->items()[i].Find("request");
    const Json* entry_response = answered->items()[i].Find("response");
    if (entry_request == nullptr || entry_response == nullptr) continue;
    std::string url(entry_request->StringOr("url"));
    std::string location(entry_response->StringOr("location"));
    // Version ids may be any id (Medplum's are UUIDs): drop the version before parsing.
    location = location.substr(0, location.find("/_history/"));
    LiteralReference reference;
    if (url.find('?') == std::string::npos || !ParseLiteralReference(location, &reference)) {
      continue;
    }
    (*partner)[url] = reference.type + "/" + reference.id;
  }
}

}  // namespace duet::gateway
