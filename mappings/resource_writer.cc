#include "mappings/resource_writer.h"

#include <utility>

namespace duet::mappings {

fhir::JsonTextWriter& ResourceCollector::BeginResource(std::string_view type,
                                                       std::string_view /*system*/,
                                                       std::string_view /*value*/) {
  text_.Clear();
  text_.BeginObject();
  text_.String("resourceType", type);
  return text_;
}

void ResourceCollector::EndResource() {
  text_.EndObject();
  auto resource = fhir::ParseJson(text_.text());
  if (!resource.ok()) {
    if (status_.ok()) {
      status_ =
          InternalError("a written resource does not read back: " + resource.status().message());
    }
    return;
  }
  resources_.push_back(std::move(resource).value());
}

void ResourceCollector::AddResource(fhir::Json resource) {
  resources_.push_back(std::move(resource));
}

StatusOr<std::vector<fhir::Json>> ResourceCollector::Take() {
  if (!status_.ok()) return status_;
  return std::move(resources_);
}

}  // namespace duet::mappings
