// OperationOutcome: builds FHIR R4 OperationOutcome resources from validation issues or from a
// single problem, for error responses of the FHIR API and for reports.
//
// Pure functions over value types: safe from any thread. HasErrors(issues) comes with
// fhir/validation/validation_issue.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/validation/validation_issue.h"

namespace duet::fhir {

// "fatal", "error", "warning", "information".
std::string_view IssueSeverityCode(IssueSeverity severity);

// {"resourceType":"OperationOutcome","issue":[...]} with one issue per entry: severity, code,
// diagnostics ("<path>: <message>", or the message alone when there is no path) and
// expression [path]. An empty list gives a single "information"/"informational" issue saying
// that no problems were found, since OperationOutcome.issue is 1..*.
Json MakeOperationOutcome(const std::vector<ValidationIssue>& issues);

// An OperationOutcome with one issue; `path` (FHIRPath) is optional.
Json MakeOperationOutcome(IssueSeverity severity, std::string_view code, std::string_view message,
                          std::string_view path = "");

}  // namespace duet::fhir
