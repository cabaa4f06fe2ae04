#include "gateway/sync/partner_capabilities.h"

namespace duet::gateway {
namespace {

using fhir::Json;

// Whether `list` (an array of objects) has an item whose `member` is `value`.
bool ListHas(const Json* list, const char* member, const std::string& value) {
  if (list == nullptr || !list->is_array()) return false;
  for (const Json& item : list->items()) {
    if (item.StringOr(member) == value) return true;
  }
  return false;
}

}  // namespace

bool CapabilityListed(const Json& capabilities, const std::string& type,
                      const std::string& interaction, const std::string& parameter) {
  const Json* rests = capabilities.Find("rest");
  if (rests == nullptr || !rests->is_array()) return false;
  for (const Json& rest : rests->items()) {
    if (type.empty()) {
      if (ListHas(rest.Find("interaction"), "code", interaction)) return true;
      continue;
    }
    if (!parameter.empty() && ListHas(rest.Find("searchParam"), "name", parameter)) return true;
    const Json* resources = rest.Find("resource");
    if (resources == nullptr || !resources->is_array()) continue;
    for (const Json& resource : resources->items()) {
      if (resource.StringOr("type") != type) continue;
      if (parameter.empty() ? ListHas(resource.Find("interaction"), "code", interaction)
                            : ListHas(resource.Find("searchParam"), "name", parameter)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace duet::gateway
