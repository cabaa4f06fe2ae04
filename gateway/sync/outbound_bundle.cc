#include "gateway/sync/outbound_bundle.h"

#include <deque>
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

StatusOr<std::vector<Json>> GatherOutbound(ResourceStore& store, const StoredResource& root) {
  std::vector<std::pair<std::string, Json>> gathered;  // "Type/id" → resource
  std::set<std::string> seen = {Key(root.type, root.id)};
  std::deque<std::pair<StoredResource, int>> queue = {{root, 0}};
  while (!queue.empty() && gathered.size() < kMaxResources) {
    auto [stored, depth] = std::move(queue.front());
    queue.pop_front();
    DUET_ASSIGN_OR_RETURN(Json resource, ParseStored(stored));
    if (depth < kMaxDepth) {
      std::vector<LiteralReference> references;
      CollectLiteralReferences(resource, &references);
      for (const LiteralReference& reference : references) {
        if (!seen.insert(Key(reference.type, reference.id)).second) continue;
        auto target = store.Read(reference.type, reference.id);
        if (target.ok() && !target->deleted) queue.emplace_back(std::move(*target), depth + 1);
      }
    }
    gathered.emplace_back(Key(stored.type, stored.id), std::move(resource));
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
    ToIdentifierReferences(resource, conditional);
    DropServerFields(resource);
    resources.push_back(std::move(resource));
  }
  return resources;
}

Json OutboundTransaction(std::vector<Json> resources) {
  return mappings::ToTransactionBundle(std::move(resources));
}

}  // namespace duet::gateway
