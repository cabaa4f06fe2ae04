#include "gateway/fhir_api/fhir_response.h"

#include <cstdio>
#include <ctime>

#include "fhir/operation_outcome.h"
#include "gateway/http/http_status.h"

namespace duet::gateway {
namespace {

const char* IssueTypeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument: return "invalid";
    case StatusCode::kNotFound: return "not-found";
    case StatusCode::kGone: return "deleted";
    case StatusCode::kAlreadyExists: return "duplicate";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kFailedPrecondition: return "conflict";
    case StatusCode::kUnprocessable: return "processing";
    case StatusCode::kMethodNotAllowed: return "not-supported";
    case StatusCode::kUnsupportedMediaType: return "not-supported";
    case StatusCode::kUnimplemented: return "not-supported";
    case StatusCode::kPayloadTooLarge: return "too-long";
    case StatusCode::kUnauthenticated: return "login";
    case StatusCode::kPermissionDenied: return "forbidden";
    case StatusCode::kResourceExhausted: return "throttled";
    case StatusCode::kDeadlineExceeded: return "timeout";
    default: return "exception";
  }
}

}  // namespace

ReturnPreference ParseReturnPreference(const HttpRequest& request) {
  const std::string* prefer = request.headers.Find("Prefer");
  if (prefer == nullptr) return ReturnPreference::kRepresentation;
  if (prefer->find("return=minimal") != std::string::npos) return ReturnPreference::kMinimal;
  if (prefer->find("return=OperationOutcome") != std::string::npos) {
    return ReturnPreference::kOperationOutcome;
  }
  return ReturnPreference::kRepresentation;
}

std::string WeakETag(int64_t version_id) { return "W/\"" + std::to_string(version_id) + "\""; }

StatusOr<int64_t> ParseETagVersion(std::string_view value) {
  std::string_view v = value;
  if (v.substr(0, 2) == "W/") v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  bool digits = !v.empty() && v.size() <= 18;
  for (char c : v) digits = digits && c >= '0' && c <= '9';
  if (!digits) {
    return InvalidArgumentError("If-Match: '" + std::string(value) +
                                "' is not a version ETag such as W/\"3\"");
  }
  return static_cast<int64_t>(std::stoll(std::string(v)));
}

std::string HttpDateFromInstant(std::string_view instant) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (std::sscanf(std::string(instant).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day,
                  &hour, &minute, &second) != 6) {
    return "";
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  time_t seconds = timegm(&tm);
  std::tm normalized{};
  gmtime_r(&seconds, &normalized);
  char buffer[64];
  std::strftime(buffer, sizeof(buffer), "%a, %d %b %Y %H:%M:%S GMT", &normalized);
  return buffer;
}

void AddVersionHeaders(const StoredResource& resource, const std::string& fhir_base,
                       bool with_location, HttpHeaders& headers) {
  headers.Set("ETag", WeakETag(resource.version_id));
  std::string modified = HttpDateFromInstant(resource.last_updated);
  if (!modified.empty()) headers.Set("Last-Modified", modified);
  std::string location = fhir_base + "/" + resource.type + "/" + resource.id + "/_history/" +
                         std::to_string(resource.version_id);
  headers.Set(with_location ? "Location" : "Content-Location", location);
}

std::string RenderStored(const std::string& json, const ResponseFormat& format) {
  if (!format.pretty) return json;
  auto parsed = fhir::ParseJson(json);
  return parsed.ok() ? fhir::WriteJson(*parsed, true) : json;
}

HttpResponse ResourceResponse(const StoredResource& resource, int status,
                              const std::string& fhir_base, bool with_location,
                              ReturnPreference preference, const ResponseFormat& format) {
  HttpResponse response;
  response.status = status;
  AddVersionHeaders(resource, fhir_base, with_location, response.headers);
  switch (preference) {
    case ReturnPreference::kMinimal: break;
    case ReturnPreference::kOperationOutcome:
      response.headers.Set("Content-Type", kFhirJsonContentType);
      response.body =
          fhir::WriteJson(InformationOutcome(resource.type + "/" + resource.id + " version " +
                                             std::to_string(resource.version_id) + " stored"),
                          format.pretty);
      break;
    case ReturnPreference::kRepresentation:
      response.headers.Set("Content-Type", kFhirJsonContentType);
      response.body = RenderStored(resource.json, format);
      break;
  }
  return response;
}

HttpResponse JsonResponse(int status, const fhir::Json& body, const ResponseFormat& format) {
  HttpResponse response;
  response.status = status;
  response.headers.Set("Content-Type", kFhirJsonContentType);
  response.body = fhir::WriteJson(body, format.pretty);
  return response;
}

fhir::Json OutcomeForStatus(const Status& status) {
  return fhir::MakeOperationOutcome(fhir::IssueSeverity::kError, IssueTypeFor(status.code()),
                                    status.message());
}

HttpResponse ErrorResponse(const Status& status, const ResponseFormat& format) {
  return JsonResponse(HttpStatusFor(status.code()), OutcomeForStatus(status), format);
}

HttpResponse FailureResponse(int http_status, const std::string& message) {
  const char* code = http_status == 413 || http_status == 431 ? "too-long"
                     : http_status == 503                     ? "transient"
                     : http_status == 400                     ? "invalid"
                     : http_status == 429                     ? "throttled"
                                                              : "exception";
  return JsonResponse(http_status,
                      fhir::MakeOperationOutcome(fhir::IssueSeverity::kError, code, message), {});
}

HttpResponse IssuesResponse(int status, const std::vector<fhir::ValidationIssue>& issues,
                            const ResponseFormat& format) {
  return JsonResponse(status, fhir::MakeOperationOutcome(issues), format);
}

fhir::Json InformationOutcome(const std::string& message) {
  return fhir::MakeOperationOutcome(fhir::IssueSeverity::kInformation, "informational", message);
}

}  // namespace duet::gateway
