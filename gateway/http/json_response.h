// JSON answers of the non-FHIR APIs (practice and admin): a body with Content-Type
// application/json and no caching, and the error shape DESIGN.md fixes for them:
// {"error": {"status", "message", "problems": [{"pointer", "message"}]}}. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

struct JsonProblem {
  std::string pointer;  // JSON pointer into the request body (or a parameter name)
  std::string message;
};

HttpResponse JsonResponse(int status, const fhir::Json& body);
fhir::Json JsonErrorBody(int status, const std::string& message,
                         const std::vector<JsonProblem>& problems = {});
HttpResponse JsonErrorResponse(int status, const std::string& message,
                               const std::vector<JsonProblem>& problems = {});

}  // namespace duet::gateway
