#include "gateway/fhir_api/resource_intake.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "fhir/operation_outcome.h"
#include "fhir/search/search_parameters.h"
#include "gateway/fhir_api/fhir_route.h"

namespace duet::gateway {
namespace {

std::string LowerMediaType(const std::string& header) {
  std::string media = header.substr(0, header.find(';'));
  media.erase(std::remove_if(media.begin(), media.end(),
                             [](unsigned char c) { return std::isspace(c) != 0; }),
              media.end());
  std::transform(media.begin(), media.end(), media.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return media;
}

}  // namespace

Status ResourceIntake::CheckContentType(const HttpRequest& request) {
  const std::string* content_type = request.headers.Find("Content-Type");
  if (content_type == nullptr) return Status::Ok();
  std::string media = LowerMediaType(*content_type);
  if (media == "application/fhir+json" || media == "application/json" ||
      media == "application/json+fhir") {
    return Status::Ok();
  }
  return Status(
      StatusCode::kUnsupportedMediaType,
      "Content-Type '" + *content_type + "' is not supported; send application/fhir+json");
}

StatusOr<fhir::Json> ResourceIntake::Parse(std::string_view body) {
  if (body.empty())
    return InvalidArgumentError("the request has no body; a FHIR resource is needed");
  auto parsed = fhir::ParseJson(body);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object()) return InvalidArgumentError("the body is JSON but not a JSON object");
  return parsed;
}

InteractionResult ResourceIntake::Check(const fhir::Json& resource, std::string_view expected_type,
                                        std::string_view path_prefix) const {
  std::string_view type = resource.StringOr("resourceType");
  if (type.empty()) {
    return InteractionResult::Failure(InvalidArgumentError(
        std::string(path_prefix.empty() ? "" : path_prefix) + (path_prefix.empty() ? "" : ": ") +
        "the resource has no resourceType"));
  }
  if (!expected_type.empty() && type != expected_type) {
    return InteractionResult::Failure(InvalidArgumentError("resourceType '" + std::string(type) +
                                                           "' does not match the URL's type '" +
                                                           std::string(expected_type) + "'"));
  }
  if (!fhir::IsSupportedResourceType(type)) {
    return InteractionResult::Failure(UnprocessableError("resource type '" + std::string(type) +
                                                         "' is not supported by this server"));
  }
  std::vector<fhir::ValidationIssue> issues = validator_.Validate(resource);
  if (!fhir::HasErrors(issues)) return InteractionResult{};
  if (!path_prefix.empty()) {
    for (auto& issue : issues) {
      // Issue paths start with the resource type; put them under the Bundle entry instead.
      std::string rest = issue.path.substr(std::min(issue.path.size(), type.size()));
      issue.path = std::string(path_prefix) + rest;
    }
  }
  return InteractionResult::Invalid(std::move(issues));
}

}  // namespace duet::gateway
