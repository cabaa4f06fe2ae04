// How the FHIR client reports a non-2xx HTTP answer as a Status: one table from HTTP status to
// StatusCode, and a message that names the method, URL (without its query, which can hold patient
// data), status and the OperationOutcome's
// diagnostics when the body is one. Pure functions: safe from any thread.
#pragma once

#include <string_view>

#include "fhir/client/fhir_client.h"
#include "fhir/status.h"

namespace duet::fhir {

// 400→kInvalidArgument, 401→kUnauthenticated, 403→kPermissionDenied, 404→kNotFound,
// 405→kMethodNotAllowed, 408→kDeadlineExceeded, 409→kConflict, 410→kGone,
// 412→kFailedPrecondition, 413→kPayloadTooLarge, 415→kUnsupportedMediaType,
// 422→kUnprocessable, 429→kResourceExhausted, 501→kUnimplemented, other 5xx→kUnavailable,
// other 4xx→kInvalidArgument, anything else (1xx, 3xx)→kInternal. kOk for 2xx.
StatusCode StatusCodeForHttpStatus(int http_status);

// OK for a 2xx answer; otherwise "<METHOD> <url>: HTTP <status>[ after N attempts][: diagnostics]",
// the url's query replaced by "?(query left out)".
Status HttpErrorStatus(std::string_view method, const FhirResponse& response);

}  // namespace duet::fhir
