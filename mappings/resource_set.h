// ResourceSet: the FHIR resources a PRF record is rebuilt from, with the lookups the reverse
// mapping needs: by business identifier, by canonical URL, and by Reference in every form a
// reference takes on the way through a server ("Type/id", absolute URLs, "urn:uuid:" fullUrls of
// a transaction, conditional "Type?identifier=system|value", logical Reference.identifier and
// "#id" for contained resources).
//
// Owns its resources. Immutable after construction; safe to read from several threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/json.h"

namespace duet::mappings {

// The first identifier of a resource (Identifier or Identifier[]), as (system, value).
std::optional<std::pair<std::string, std::string>> BusinessIdentifier(const fhir::Json& resource);
// True when the resource carries an identifier with this system and value.
bool HasIdentifier(const fhir::Json& resource, std::string_view system, std::string_view value);
// The value of the resource's identifier with this system, if any.
std::optional<std::string> IdentifierValue(const fhir::Json& resource, std::string_view system);

class ResourceSet {
 public:
  explicit ResourceSet(std::vector<fhir::Json> resources);

  const std::vector<fhir::Json>& resources() const { return resources_; }
  std::vector<const fhir::Json*> OfType(std::string_view type) const;
  const fhir::Json* FindByIdentifier(std::string_view type, std::string_view system,
                                     std::string_view value) const;
  const fhir::Json* FindByCanonical(std::string_view type, std::string_view url) const;

  // What a Reference points at: the resource when it is in the set (or contained in
  // `container`), and otherwise the business identifier the reference itself names.
  struct Target {
    const fhir::Json* resource = nullptr;
    std::string type;  // when known
    std::optional<std::pair<std::string, std::string>> identifier;
  };
  Target Resolve(const fhir::Json& reference, const fhir::Json* container = nullptr) const;

  // The value of the target's identifier with `system`: from the resource when it is in the set,
  // else from a conditional or logical reference naming that system.
  std::optional<std::string> ReferencedIdentifier(const fhir::Json& reference,
                                                  std::string_view system,
                                                  const fhir::Json* container = nullptr) const;

 private:
  const fhir::Json* FindByFullUrl(std::string_view full_url) const;
  const fhir::Json* FindByTypeAndId(std::string_view type, std::string_view id) const;

  std::vector<fhir::Json> resources_;
  std::vector<std::string> full_urls_;  // deterministic urn:uuid per resource ("" if none)
};

}  // namespace duet::mappings
