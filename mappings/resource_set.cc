#include "mappings/resource_set.h"

#include "mappings/fhir_bundle_writer.h"
#include "mappings/fhir_elements.h"

namespace duet::mappings {
namespace {

using fhir::Json;

std::vector<const Json*> Identifiers(const Json& resource) {
  std::vector<const Json*> found;
  const Json* identifier = resource.Find("identifier");
  if (identifier == nullptr) return found;
  if (identifier->is_object()) found.push_back(identifier);
  if (identifier->is_array()) {
    for (const Json& item : identifier->items()) {
      if (item.is_object()) found.push_back(&item);
    }
  }
  return found;
}

// "Type/id", "Type/id/_history/n", or an absolute URL ending in either: the type and id.
std::optional<std::pair<std::string, std::string>> TypeAndId(std::string_view reference) {
  size_t history = reference.find("/_history/");
  if (history != std::string_view::npos) reference = reference.substr(0, history);
  size_t last = reference.rfind('/');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  size_t before = reference.rfind('/', last - 1);
  std::string_view type = before == std::string_view::npos
                              ? reference.substr(0, last)
                              : reference.substr(before + 1, last - before - 1);
  std::string_view id = reference.substr(last + 1);
  if (type.empty() || id.empty()) return std::nullopt;
  return std::make_pair(std::string(type), std::string(id));
}

}  // namespace

std::optional<std::pair<std::string, std::string>> BusinessIdentifier(const Json& resource) {
  for (const Json* identifier : Identifiers(resource)) {
    std::string_view system = identifier->StringOr("system");
    std::string_view value = identifier->StringOr("value");
    if (!system.empty() && !value.empty()) {
      return std::make_pair(std::string(system), std::string(value));
    }
  }
  return std::nullopt;
}

bool HasIdentifier(const Json& resource, std::string_view system, std::string_view value) {
  for (const Json* identifier : Identifiers(resource)) {
    if (identifier->StringOr("system") == system && identifier->StringOr("value") == value) {
      return true;
    }
  }
  return false;
}

std::optional<std::string> IdentifierValue(const Json& resource, std::string_view system) {
  for (const Json* identifier : Identifiers(resource)) {
    if (identifier->StringOr("system") == system && !identifier->StringOr("value").empty()) {
      return std::string(identifier->StringOr("value"));
    }
  }
  return std::nullopt;
}

ResourceSet::ResourceSet(std::vector<Json> resources) : resources_(std::move(resources)) {
  full_urls_.reserve(resources_.size());
  for (const Json& resource : resources_) full_urls_.push_back(ResourceFullUrl(resource));
}

std::vector<const Json*> ResourceSet::OfType(std::string_view type) const {
  std::vector<const Json*> found;
  for (const Json& resource : resources_) {
    if (resource.StringOr("resourceType") == type) found.push_back(&resource);
  }
  return found;
}

const Json* ResourceSet::FindByIdentifier(std::string_view type, std::string_view system,
                                          std::string_view value) const {
  for (const Json& resource : resources_) {
    if ((type.empty() || resource.StringOr("resourceType") == type) &&
        HasIdentifier(resource, system, value)) {
      return &resource;
    }
  }
  return nullptr;
}

const Json* ResourceSet::FindByCanonical(std::string_view type, std::string_view url) const {
  std::string_view bare = url.substr(0, url.find('|'));
  for (const Json& resource : resources_) {
    if (resource.StringOr("resourceType") == type && resource.StringOr("url") == bare) {
      return &resource;
    }
  }
  return nullptr;
}

const Json* ResourceSet::FindByFullUrl(std::string_view full_url) const {
  for (size_t i = 0; i < resources_.size(); ++i) {
    if (!full_urls_[i].empty() && full_urls_[i] == full_url) return &resources_[i];
  }
  return nullptr;
}

const Json* ResourceSet::FindByTypeAndId(std::string_view type, std::string_view id) const {
  for (const Json& resource : resources_) {
    if (resource.StringOr("resourceType") == type && resource.StringOr("id") == id) {
      return &resource;
    }
  }
  return nullptr;
}

ResourceSet::Target ResourceSet::Resolve(const Json& reference, const Json* container) const {
  Target target;
  if (!reference.is_object()) return target;
  target.type = std::string(reference.StringOr("type"));
  std::string_view literal = reference.StringOr("reference");
  if (!literal.empty()) {
    if (literal.front() == '#') {
      const Json* contained = container == nullptr ? nullptr : container->Find("contained");
      if (contained != nullptr && contained->is_array()) {
        for (const Json& item : contained->items()) {
          if (item.StringOr("id") == literal.substr(1)) target.resource = &item;
        }
      }
    } else if (literal.rfind("urn:uuid:", 0) == 0) {
      target.resource = FindByFullUrl(literal);
    } else if (auto conditional = ParseConditionalReference(literal)) {
      target.type = conditional->type;
      target.resource =
          FindByIdentifier(conditional->type, conditional->system, conditional->value);
      target.identifier = std::make_pair(conditional->system, conditional->value);
    } else if (auto parts = TypeAndId(literal)) {
      target.type = parts->first;
      target.resource = FindByTypeAndId(parts->first, parts->second);
    }
  }
  const Json* logical = reference.Find("identifier");
  if (logical != nullptr && logical->is_object() && !target.identifier) {
    std::string system(logical->StringOr("system"));
    std::string value(logical->StringOr("value"));
    if (!system.empty() && !value.empty()) {
      target.identifier = std::make_pair(system, value);
      if (target.resource == nullptr)
        target.resource = FindByIdentifier(target.type, system, value);
    }
  }
  if (target.resource != nullptr)
    target.type = std::string(target.resource->StringOr("resourceType"));
  return target;
}

std::optional<std::string> ResourceSet::ReferencedIdentifier(const Json& reference,
                                                             std::string_view system,
                                                             const Json* container) const {
  Target target = Resolve(reference, container);
  if (target.resource != nullptr) {
    if (auto value = IdentifierValue(*target.resource, system)) return value;
  }
  if (target.identifier && target.identifier->first == system) return target.identifier->second;
  return std::nullopt;
}

}  // namespace duet::mappings
