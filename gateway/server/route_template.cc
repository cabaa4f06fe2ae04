#include "gateway/server/route_template.h"

#include <array>
#include <vector>

#include "gateway/fhir_api/fhir_route.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {
namespace {

bool StartsWithSegment(std::string_view path, std::string_view prefix) {
  return path.substr(0, prefix.size()) == prefix &&
         (path.size() == prefix.size() || path[prefix.size()] == '/');
}

std::string FhirTemplate(std::string_view rest) {
  if (rest == "/.well-known/smart-configuration") return "/fhir/.well-known/smart-configuration";
  StatusOr<FhirRoute> route = ParseFhirRoute(rest);
  if (!route.ok()) return "/fhir/{unknown}";
  switch (route->kind) {
    case FhirRoute::Kind::kSystem: return "/fhir";
    case FhirRoute::Kind::kMetadata: return "/fhir/metadata";
    case FhirRoute::Kind::kSystemHistory: return "/fhir/_history";
    case FhirRoute::Kind::kType: return "/fhir/{type}";
    case FhirRoute::Kind::kTypeSearch: return "/fhir/{type}/_search";
    case FhirRoute::Kind::kTypeHistory: return "/fhir/{type}/_history";
    case FhirRoute::Kind::kInstance: return "/fhir/{type}/{id}";
    case FhirRoute::Kind::kInstanceHistory: return "/fhir/{type}/{id}/_history";
    case FhirRoute::Kind::kVersion: return "/fhir/{type}/{id}/_history/{vid}";
  }
  return "/fhir/{unknown}";
}

std::string PracticeTemplate(std::string_view rest) {
  std::vector<std::string_view> segments = SplitPathSegments(rest);
  if (segments.size() == 1 &&
      (segments[0] == "records" || segments[0] == "referrals" || segments[0] == "nps")) {
    return "/practice/v1/" + std::string(segments[0]);
  }
  if (segments.size() == 2) return "/practice/v1/{type}/{id}";
  return "/practice/v1/{unknown}";
}

}  // namespace

std::string RouteTemplate(std::string_view path) {
  static constexpr std::array<std::string_view, 4> kExact = {"/healthz", "/readyz", "/metrics",
                                                             "/auth/token"};
  for (std::string_view exact : kExact) {
    if (path == exact) return std::string(exact);
  }
  if (StartsWithSegment(path, "/fhir")) return FhirTemplate(path.substr(5));
  if (StartsWithSegment(path, "/practice/v1")) return PracticeTemplate(path.substr(12));
  // The admin API and the authorization server count as one route each.
  if (StartsWithSegment(path, "/admin/v1")) return "/admin/v1/*";
  if (StartsWithSegment(path, "/auth")) return "/auth/*";
  return "other";
}

std::string_view MethodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kMethods = {"GET",   "HEAD",   "POST",   "PUT",
                                                               "PATCH", "DELETE", "OPTIONS"};
  for (std::string_view known : kMethods) {
    if (method == known) return known;
  }
  return "other";
}

}  // namespace duet::gateway
