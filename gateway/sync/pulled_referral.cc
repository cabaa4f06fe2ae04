#include "gateway/sync/pulled_referral.h"

#include <map>
#include <utility>
#include <vector>

#include "gateway/http/http_types.h"
#include "mappings/code_tables.h"
#include "mappings/fhir_elements.h"
#include "mappings/mapper_support.h"
#include "mappings/name_based_uuid.h"
#include "mappings/resource_set.h"

namespace duet::gateway {
namespace {

using fhir::Json;

}  // namespace

std::string PartnerTarget(const std::string& partner_base, std::string_view reference) {
  std::string_view rest = reference;
  std::string prefix = partner_base + "/";
  if (rest.substr(0, prefix.size()) == prefix) rest.remove_prefix(prefix.size());
  size_t history = rest.find("/_history/");
  if (history != std::string_view::npos) rest = rest.substr(0, history);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || rest.find(':') != std::string_view::npos ||
      rest.find('/', slash + 1) != std::string_view::npos) {
    return "";
  }
  return std::string(rest);
}

namespace {

// How references to the partner's resources are rewritten, by "Type/id": to an entry's fullUrl,
// or to a logical reference by identifier.
struct ReferenceMap {
  std::map<std::string, std::string> full_urls;
  std::map<std::string, Json> identifiers;
};

// The identifier a logical reference to `resource` uses: its NPI, else its first identifier.
std::optional<Json> LogicalIdentifier(const Json& resource) {
  if (auto npi = mappings::IdentifierValue(resource, mappings::kNpiSystem)) {
    return mappings::MakeIdentifier(mappings::kNpiSystem, *npi);
  }
  if (auto first = mappings::BusinessIdentifier(resource)) {
    return mappings::MakeIdentifier(first->first, first->second);
  }
  return std::nullopt;
}

// Rewrites every Reference in `value`: one to a resource of the transaction becomes its fullUrl;
// any other literal reference to the partner becomes a logical reference, by the identifier the
// map has for it or by its URL. Contained ("#x") and urn: references stay.
void RewriteReferences(Json& value, const std::string& partner_base, const ReferenceMap& map) {
  if (value.is_array()) {
    for (Json& item : value.items()) RewriteReferences(item, partner_base, map);
    return;
  }
  if (!value.is_object()) return;
  if (const Json* reference = value.Find("reference"); reference && reference->is_string()) {
    std::string text = reference->string_value();
    std::string target = PartnerTarget(partner_base, text);
    if (target.empty()) return;
    if (auto local = map.full_urls.find(target); local != map.full_urls.end()) {
      value.Set("reference", Json::String(local->second));
      return;
    }
    value.Remove("reference");
    if (value.Find("identifier") == nullptr) {
      auto known = map.identifiers.find(target);
      value.Set("identifier",
                known != map.identifiers.end()
                    ? known->second
                    : mappings::MakeIdentifier(kUrlIdentifierSystem, partner_base + "/" + target));
    }
    return;
  }
  for (auto& [key, member] : value.members()) {
    if (key != "contained") RewriteReferences(member, partner_base, map);
  }
}

// The resource as the partner served it, without server fields, with its URL identifier added.
Json Portable(const Json& resource, const std::string& url) {
  Json copy = resource;
  copy.Remove("id");
  copy.Remove("meta");
  if (!mappings::HasIdentifier(copy, kUrlIdentifierSystem, url)) {
    Json* identifiers = copy.Find("identifier");
    if (identifiers == nullptr || !identifiers->is_array()) {
      identifiers = &copy.Set("identifier", Json::MakeArray());
    }
    identifiers->Append(mappings::MakeIdentifier(kUrlIdentifierSystem, url));
  }
  return copy;
}

// "identifier=<system>|<value>" for the first identifier of `resource` with one of `systems`
// (tried in order; "" = any system).
std::string MatchOn(const Json& resource, const std::vector<std::string>& systems) {
  for (const std::string& system : systems) {
    std::optional<std::pair<std::string, std::string>> found;
    if (system.empty()) {
      found = mappings::BusinessIdentifier(resource);
    } else if (auto value = mappings::IdentifierValue(resource, system)) {
      found = std::make_pair(system, *value);
    }
    if (found && !found->first.empty() && !found->second.empty()) {
      return "identifier=" + PercentEncode(found->first) + "|" + PercentEncode(found->second);
    }
  }
  return "";
}

Json Entry(std::string full_url, Json resource, const std::string& method,
           const std::string& condition) {
  std::string type(resource.StringOr("resourceType"));
  Json request = Json::MakeObject();
  request.Set("method", Json::String(method));
  if (method == "POST") {
    request.Set("url", Json::String(type));
    request.Set("ifNoneExist", Json::String(condition));
  } else {
    request.Set("url", Json::String(type + "?" + condition));
  }
  Json entry = Json::MakeObject();
  entry.Set("fullUrl", Json::String(std::move(full_url)));
  entry.Set("resource", std::move(resource));
  entry.Set("request", std::move(request));
  return entry;
}

}  // namespace

std::string PartnerUrl(const std::string& partner_base, const Json& resource) {
  return partner_base + "/" + std::string(resource.StringOr("resourceType")) + "/" +
         std::string(resource.StringOr("id"));
}

bool RefersTo(const std::string& partner_base, std::string_view reference, const Json& resource) {
  return !resource.StringOr("id").empty() &&
         PartnerTarget(partner_base, reference) == std::string(resource.StringOr("resourceType")) +
                                                       "/" + std::string(resource.StringOr("id"));
}

StatusOr<Json> PulledReferralTransaction(const PulledReferral& referral,
                                         const PulledReferralOptions& options) {
  std::vector<std::pair<const Json*, std::vector<std::string>>> parts;
  std::string mrn(mappings::SystemFor(options.mapping, mappings::kinds::kMrn));
  if (referral.patient) parts.push_back({&*referral.patient, {mrn, ""}});
  if (referral.requester)
    parts.push_back({&*referral.requester, {std::string(mappings::kNpiSystem), ""}});
  parts.push_back({&referral.request, {""}});
  parts.push_back({&referral.task, {""}});
  ReferenceMap map;
  std::map<std::string, std::string>& full_urls = map.full_urls;
  for (const Json& other : referral.others) {
    if (auto identifier = LogicalIdentifier(other)) {
      map.identifiers[std::string(other.StringOr("resourceType")) + "/" +
                      std::string(other.StringOr("id"))] = std::move(*identifier);
    }
  }
  for (const auto& [resource, unused] : parts) {
    if (resource->StringOr("id").empty()) {
      return InvalidArgumentError("the partner's " +
                                  std::string(resource->StringOr("resourceType")) + " has no id");
    }
    std::string url = PartnerUrl(options.partner_base, *resource);
    full_urls[std::string(resource->StringOr("resourceType")) + "/" +
              std::string(resource->StringOr("id"))] =
        "urn:uuid:" + mappings::DeterministicUuid("pulled|" + url);
  }
  Json entries = Json::MakeArray();
  for (const auto& [resource, systems] : parts) {
    std::string url = PartnerUrl(options.partner_base, *resource);
    Json portable = Portable(*resource, url);
    std::string type(resource->StringOr("resourceType"));
    if (type == "Task") {
      Json owner = Json::MakeObject();
      owner.Set("identifier", mappings::MakeIdentifier(mappings::kNpiSystem, options.practice_npi));
      portable.Set("owner", std::move(owner));
    }
    RewriteReferences(portable, options.partner_base, map);
    std::string condition = MatchOn(portable, systems);
    bool update = type == "ServiceRequest" && options.update_request;
    entries.Append(Entry(full_urls[type + "/" + std::string(resource->StringOr("id"))],
                         std::move(portable), update ? "PUT" : "POST", condition));
  }
  Json bundle = Json::MakeObject();
  bundle.Set("resourceType", Json::String("Bundle"));
  bundle.Set("type", Json::String("transaction"));
  bundle.Set("entry", std::move(entries));
  return bundle;
}

}  // namespace duet::gateway
