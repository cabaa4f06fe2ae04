#include "gateway/server/route_template.h"

#include <array>
#include <cctype>
#include <vector>

#include "gateway/fhir_api/fhir_route.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {
namespace {

bool StartsWithSegment(std::string_view path, std::string_view prefix) {
  return path.substr(0, prefix.size()) == prefix &&
         (path.size() == prefix.size() || path[prefix.size()] == '/');
}

// The shapes of fhir_route.h, told apart by their segments alone (the type is not looked up: this
// runs on every request, and the placeholders make the label the same either way).
std::string FhirTemplate(std::string_view rest) {
  if (rest == "/.well-known/smart-configuration") return "/fhir/.well-known/smart-configuration";
  std::vector<std::string_view> segments = SplitPathSegments(rest);
  auto is_type = [](std::string_view segment) {
    return std::isupper(static_cast<unsigned char>(segment.front())) != 0;
  };
  auto is_id = [](std::string_view segment) { return IsValidFhirId(segment); };
  switch (segments.size()) {
    case 0: return "/fhir";
    case 1:
      if (segments[0] == "metadata") return "/fhir/metadata";
      if (segments[0] == "_history") return "/fhir/_history";
      if (is_type(segments[0])) return "/fhir/{type}";
      break;
    case 2:
      if (!is_type(segments[0])) break;
      if (segments[1] == "_search") return "/fhir/{type}/_search";
      if (segments[1] == "_history") return "/fhir/{type}/_history";
      if (is_id(segments[1])) return "/fhir/{type}/{id}";
      break;
    case 3:
      if (is_type(segments[0]) && is_id(segments[1]) && segments[2] == "_history") {
        return "/fhir/{type}/{id}/_history";
      }
      break;
    case 4:
      if (is_type(segments[0]) && is_id(segments[1]) && segments[2] == "_history" &&
          is_id(segments[3])) {
        return "/fhir/{type}/{id}/_history/{vid}";
      }
      break;
    default: break;
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
