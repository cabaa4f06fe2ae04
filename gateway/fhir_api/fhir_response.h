// Builders for FHIR API responses: resources with their ETag, Last-Modified and Location headers,
// Bundles, and OperationOutcome errors. Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "fhir/validation/validation_issue.h"
#include "gateway/http/http_types.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

inline constexpr char kFhirJsonContentType[] = "application/fhir+json; charset=utf-8";

// What the client asked for with `Prefer: return=...`.
enum class ReturnPreference { kRepresentation, kMinimal, kOperationOutcome };
ReturnPreference ParseReturnPreference(const HttpRequest& request);

// Formatting wanted by `_pretty`.
struct ResponseFormat {
  bool pretty = false;
};

// "W/\"3\"" for version 3.
std::string WeakETag(int64_t version_id);
// Parses an If-Match value (W/"3" or "3"); kInvalidArgument when it is neither.
StatusOr<int64_t> ParseETagVersion(std::string_view value);
// "2026-11-27T06:39:22.123Z" → "Fri, 27 Nov 2026 06:39:22 GMT"; "" when unparsable.
std::string HttpDateFromInstant(std::string_view instant);

// The resource's headers (ETag, Last-Modified, Content-Location/Location) without a body.
void AddVersionHeaders(const StoredResource& resource, const std::string& fhir_base,
                       bool with_location, HttpHeaders& headers);

// A response carrying `resource` (already serialized as stored), with version headers.
HttpResponse ResourceResponse(const StoredResource& resource, int status,
                              const std::string& fhir_base, bool with_location,
                              ReturnPreference preference, const ResponseFormat& format);

// A JSON body response with the FHIR content type.
HttpResponse JsonResponse(int status, const fhir::Json& body, const ResponseFormat& format);

// An OperationOutcome for a failed Status (status code from the one Status → HTTP table).
HttpResponse ErrorResponse(const Status& status, const ResponseFormat& format = {});
fhir::Json OutcomeForStatus(const Status& status);
// An OperationOutcome error for a bare HTTP status (413, 503, ...) met outside an interaction.
HttpResponse FailureResponse(int http_status, const std::string& message);
// An OperationOutcome listing validation issues, with the given HTTP status.
HttpResponse IssuesResponse(int status, const std::vector<fhir::ValidationIssue>& issues,
                            const ResponseFormat& format = {});

// A successful-outcome OperationOutcome (information severity), for e.g. a delete.
fhir::Json InformationOutcome(const std::string& message);

// Re-serializes when pretty printing or filtering is wanted; otherwise returns the stored bytes.
std::string RenderStored(const std::string& json, const ResponseFormat& format);

}  // namespace duet::gateway
