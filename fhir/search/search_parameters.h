// The R4 search parameters the gateway supports, loaded once from the trimmed official
// definitions shipped in fhir/definitions/ (embedded in the binary).
//
// The registry is immutable after construction; R4() builds it on first use (thread-safe) and
// any thread may read it afterwards.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"

namespace duet::fhir {

// The resource types the gateway stores and serves, in a stable order. The REST layer and the
// CapabilityStatement are driven by this list; adding a type here is all it takes (its search
// parameters come from the embedded definitions).
const std::vector<std::string>& SupportedResourceTypes();
bool IsSupportedResourceType(std::string_view type);

enum class SearchParamType { kToken, kReference, kDate, kString, kNumber, kQuantity, kUri };

const char* SearchParamTypeName(SearchParamType type);

struct SearchParameterDef {
  std::string code;           // "patient", "status", "_lastUpdated"
  std::string resource_type;  // "CarePlan"; "Resource" for the common ones (_id, _lastUpdated)
  SearchParamType type = SearchParamType::kToken;
  // Simple element paths from the resource root, choice types already resolved, e.g.
  // {"CarePlan.subject"}, {"Condition.onsetDateTime", "Condition.onsetPeriod"}.
  std::vector<std::string> paths;
  std::vector<std::string> targets;  // reference target types, when type is kReference
};

class SearchParameterRegistry {
 public:
  // The registry built from the embedded R4 definitions.
  static const SearchParameterRegistry& R4();

  // nullptr when `code` is not a supported parameter of `resource_type` (nor a common one).
  const SearchParameterDef* Find(std::string_view resource_type, std::string_view code) const;
  // Every supported parameter of the type, common ones included.
  std::vector<const SearchParameterDef*> ForType(std::string_view resource_type) const;

  // Builds a registry from the trimmed definitions format of fhir/definitions/
  // (r4-search-parameters.json). kInvalidArgument names the entry that is malformed.
  static StatusOr<SearchParameterRegistry> FromJson(std::string_view definitions_json);

 private:
  explicit SearchParameterRegistry(std::vector<SearchParameterDef> params);

  std::vector<SearchParameterDef> params_;
  // "CarePlan|patient" (or "Resource|_id") → index in params_.
  std::unordered_map<std::string, size_t> by_key_;
};

}  // namespace duet::fhir
