#include "fhir/client/http_error.h"

#include <string>

#include "fhir/json.h"

namespace duet::fhir {
namespace {

constexpr size_t kMaxDiagnosticsChars = 500;

std::string_view IssueText(const Json& issue) {
  std::string_view diagnostics = issue.StringOr("diagnostics");
  if (!diagnostics.empty()) return diagnostics;
  const Json* details = issue.Find("details");
  return details != nullptr ? details->StringOr("text") : std::string_view();
}

// The issues' diagnostics joined with "; ", or "" when the body is not an OperationOutcome.
std::string OperationOutcomeDiagnostics(const std::string& body) {
  StatusOr<Json> parsed = ParseJson(body);
  if (!parsed.ok() || parsed->StringOr("resourceType") != "OperationOutcome") return "";
  const Json* issues = parsed->Find("issue");
  if (issues == nullptr || !issues->is_array()) return "";
  std::string text;
  for (const Json& issue : issues->items()) {
    std::string_view issue_text = IssueText(issue);
    if (issue_text.empty()) continue;
    if (!text.empty()) text += "; ";
    text += issue_text;
  }
  if (text.size() > kMaxDiagnosticsChars) text = text.substr(0, kMaxDiagnosticsChars) + "...";
  return text;
}

}  // namespace

StatusCode StatusCodeForHttpStatus(int http_status) {
  switch (http_status) {
    case 400: return StatusCode::kInvalidArgument;
    case 401: return StatusCode::kUnauthenticated;
    case 403: return StatusCode::kPermissionDenied;
    case 404: return StatusCode::kNotFound;
    case 405: return StatusCode::kMethodNotAllowed;
    case 408: return StatusCode::kDeadlineExceeded;
    case 409: return StatusCode::kConflict;
    case 410: return StatusCode::kGone;
    case 412: return StatusCode::kFailedPrecondition;
    case 413: return StatusCode::kPayloadTooLarge;
    case 415: return StatusCode::kUnsupportedMediaType;
    case 422: return StatusCode::kUnprocessable;
    case 429: return StatusCode::kResourceExhausted;
    case 501: return StatusCode::kUnimplemented;
    default: break;
  }
  if (http_status >= 200 && http_status < 300) return StatusCode::kOk;
  if (http_status >= 500 && http_status < 600) return StatusCode::kUnavailable;
  if (http_status >= 400 && http_status < 500) return StatusCode::kInvalidArgument;
  return StatusCode::kInternal;
}

Status HttpErrorStatus(std::string_view method, const FhirResponse& response) {
  StatusCode code = StatusCodeForHttpStatus(response.status);
  if (code == StatusCode::kOk) return Status::Ok();
  // The URL without its query: search values can be patient data (names, birth dates,
  // identifiers), and this message ends up in logs and the sync status.
  std::string_view url = response.url;
  size_t query = url.find('?');
  std::string message = std::string(method) + " " + std::string(url.substr(0, query)) +
                        (query == std::string_view::npos ? "" : "?(query left out)") + ": HTTP " +
                        std::to_string(response.status);
  if (response.attempts > 1) message += " after " + std::to_string(response.attempts) + " attempts";
  std::string diagnostics = OperationOutcomeDiagnostics(response.body);
  if (!diagnostics.empty()) message += ": " + diagnostics;
  return Status(code, std::move(message));
}

}  // namespace duet::fhir
