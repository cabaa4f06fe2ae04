// JSON answers of the non-FHIR APIs (practice and admin): a body with Content-Type
// application/json (or another JSON type) and no caching, and the error shape DESIGN.md fixes for
// them:
// {"error": {"status", "message", "problems": [{"pointer" or "parameter", "message"}]}}. Pure
// functions.
#pragma once

#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

// A problem with the request: where (a JSON pointer into the body, or the query parameter it is
// about) and what. Written as {"pointer", "message"} or {"parameter", "message"}.
struct JsonProblem {
  std::string pointer;
  std::string message;
  std::string parameter;  // set instead of `pointer` for a query parameter
};

HttpResponse JsonResponse(int status, const fhir::Json& body,
                          const std::string& content_type = "application/json");
fhir::Json JsonErrorBody(int status, const std::string& message,
                         const std::vector<JsonProblem>& problems = {});
HttpResponse JsonErrorResponse(int status, const std::string& message,
                               const std::vector<JsonProblem>& problems = {});

}  // namespace duet::gateway
