#include "gateway/fhir_api/fhir_route.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "fhir/search/search_parameters.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {
namespace {

bool LooksLikeTypeName(std::string_view segment) {
  return !segment.empty() && std::isupper(static_cast<unsigned char>(segment[0])) != 0;
}

Status CheckType(std::string_view type) {
  if (fhir::IsSupportedResourceType(type)) return Status::Ok();
  return NotFoundError("resource type '" + std::string(type) + "' is not supported by this server");
}

Status CheckId(std::string_view id) {
  if (IsValidFhirId(id)) return Status::Ok();
  return InvalidArgumentError("'" + std::string(id) +
                              "' is not a valid resource id (1-64 of A-Z a-z 0-9 - .)");
}

}  // namespace

bool IsValidFhirId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
  });
}

StatusOr<FhirRoute> ParseFhirRoute(std::string_view path) {
  std::vector<std::string_view> segments = SplitPathSegments(path);
  FhirRoute route;
  if (segments.empty()) return route;
  if (segments.size() == 1 && segments[0] == "metadata") {
    route.kind = FhirRoute::Kind::kMetadata;
    return route;
  }
  if (segments.size() == 1 && segments[0] == "_history") {
    route.kind = FhirRoute::Kind::kSystemHistory;
    return route;
  }
  if (!LooksLikeTypeName(segments[0]) || segments.size() > 4) {
    return NotFoundError("no FHIR endpoint at '" + std::string(path) + "'");
  }
  DUET_RETURN_IF_ERROR(CheckType(segments[0]));
  route.type = std::string(segments[0]);
  if (segments.size() == 1) {
    route.kind = FhirRoute::Kind::kType;
    return route;
  }
  if (segments.size() == 2 && segments[1] == "_search") {
    route.kind = FhirRoute::Kind::kTypeSearch;
    return route;
  }
  if (segments.size() == 2 && segments[1] == "_history") {
    route.kind = FhirRoute::Kind::kTypeHistory;
    return route;
  }
  if (segments[1].front() == '_' || segments[1].front() == '$') {
    return NotFoundError("operation '" + std::string(segments[1]) + "' is not supported");
  }
  DUET_RETURN_IF_ERROR(CheckId(segments[1]));
  route.id = std::string(segments[1]);
  if (segments.size() == 2) {
    route.kind = FhirRoute::Kind::kInstance;
    return route;
  }
  if (segments[2] != "_history") {
    return NotFoundError("no FHIR endpoint at '" + std::string(path) + "'");
  }
  if (segments.size() == 3) {
    route.kind = FhirRoute::Kind::kInstanceHistory;
    return route;
  }
  std::string_view version = segments[3];
  bool digits = !version.empty() && version.size() <= 18 &&
                std::all_of(version.begin(), version.end(),
                            [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (!digits || version == "0" || version.front() == '0') {
    return InvalidArgumentError("'" + std::string(version) +
                                "' is not a valid version id (a positive integer)");
  }
  route.kind = FhirRoute::Kind::kVersion;
  route.version = std::stoll(std::string(version));
  return route;
}

}  // namespace duet::gateway
