#include "gateway/practice_api/record_loader.h"

#include <string>

#include "fhir/search/search_query.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/record_converter.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr int kMaxDepth = 3;
constexpr size_t kMaxResources = 2000;

// Canonical URLs a home exercise program instantiates (its exercise ActivityDefinitions).
std::vector<std::string> InstantiatedCanonicals(const Json& resource) {
  std::vector<std::string> urls;
  const Json* activities = resource.Find("activity");
  if (activities == nullptr || !activities->is_array()) return urls;
  for (const Json& activity : activities->items()) {
    const Json* detail = activity.Find("detail");
    const Json* canonicals = detail == nullptr ? nullptr : detail->Find("instantiatesCanonical");
    if (canonicals == nullptr || !canonicals->is_array()) continue;
    for (const Json& url : canonicals->items()) {
      if (url.is_string()) urls.push_back(url.string_value());
    }
  }
  return urls;
}

}  // namespace

StatusOr<std::vector<StoredResource>> RecordLoader::SearchAll(const std::string& type,
                                                              const std::string& name,
                                                              const std::string& value) const {
  return SearchAllInStore(store_, type, {{name, value}});
}

StatusOr<std::optional<StoredResource>> RecordLoader::FindMain(std::string_view record_type,
                                                               std::string_view native_id) const {
  std::string type = mappings::MainResourceType(record_type);
  std::string system = mappings::MainIdentifierSystem(record_type, context_);
  if (type.empty()) {
    return NotFoundError("there is no record type '" + std::string(record_type) + "'");
  }
  // A token search value escapes ',', '$' and '|' with a backslash.
  std::string escaped;
  for (char c : native_id) {
    if (c == ',' || c == '$' || c == '|' || c == '\\') escaped += '\\';
    escaped += c;
  }
  DUET_ASSIGN_OR_RETURN(std::vector<StoredResource> matches,
                        SearchAll(type, "identifier", system + "|" + escaped));
  if (matches.empty()) return std::optional<StoredResource>();
  if (matches.size() > 1) {
    return ConflictError(std::to_string(matches.size()) + " " + type + " resources carry the " +
                         "identifier " + system + "|" + std::string(native_id));
  }
  return std::optional<StoredResource>(std::move(matches.front()));
}

StatusOr<std::vector<Json>> RecordLoader::Gather(const StoredResource& main) const {
  std::vector<std::pair<StoredResource, int>> start = {{main, 0}};
  if (main.type == "ServiceRequest" || main.type == "CarePlan") {
    DUET_ASSIGN_OR_RETURN(auto tasks, SearchAll("Task", "focus", main.type + "/" + main.id));
    for (StoredResource& task : tasks) start.emplace_back(std::move(task), 1);
  }
  if (main.type == "Patient") {
    for (const auto& [type, parameter] :
         {std::pair<std::string, std::string>{"Coverage", "beneficiary"}, {"Goal", "subject"}}) {
      DUET_ASSIGN_OR_RETURN(auto found, SearchAll(type, parameter, "Patient/" + main.id));
      for (StoredResource& resource : found) start.emplace_back(std::move(resource), kMaxDepth);
    }
  }
  if (main.type == "Practitioner") {
    DUET_ASSIGN_OR_RETURN(auto roles,
                          SearchAll("PractitionerRole", "practitioner", "Practitioner/" + main.id));
    for (StoredResource& role : roles) start.emplace_back(std::move(role), 1);
  }
  auto definitions = [this](const Json& resource) -> StatusOr<std::vector<StoredResource>> {
    std::vector<StoredResource> found;
    for (const std::string& url : InstantiatedCanonicals(resource)) {
      DUET_ASSIGN_OR_RETURN(auto matches, SearchAll("ActivityDefinition", "url", url));
      for (StoredResource& match : matches) found.push_back(std::move(match));
    }
    return found;
  };
  DUET_ASSIGN_OR_RETURN(
      std::vector<ReachedResource> reached,
      WalkReferences(store_, std::move(start), kMaxDepth, kMaxResources, definitions));
  std::vector<Json> resources;
  for (ReachedResource& resource : reached) resources.push_back(std::move(resource.json));
  return resources;
}

StatusOr<Json> RecordLoader::Load(std::string_view record_type, std::string_view native_id) const {
  DUET_ASSIGN_OR_RETURN(std::optional<StoredResource> main, FindMain(record_type, native_id));
  if (!main) {
    return NotFoundError("there is no " + std::string(record_type) + " '" + std::string(native_id) +
                         "'");
  }
  DUET_ASSIGN_OR_RETURN(std::vector<Json> resources, Gather(*main));
  return mappings::ToPractice(resources, record_type, native_id, context_);
}

}  // namespace duet::gateway
