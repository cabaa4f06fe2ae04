// ValidationIssue: one problem found in FHIR data, with the element path it concerns. Validators
// collect these; fhir/operation_outcome.h turns them into an OperationOutcome. Plain value type.
#pragma once

#include <string>
#include <vector>

namespace duet::fhir {

// OperationOutcome.issue.severity (http://hl7.org/fhir/issue-severity).
enum class IssueSeverity { kFatal, kError, kWarning, kInformation };

struct ValidationIssue {
  IssueSeverity severity = IssueSeverity::kError;
  // OperationOutcome.issue.code (http://hl7.org/fhir/issue-type): "structure", "required",
  // "value", "code-invalid", "invariant", "not-supported", "invalid", ...
  std::string code;
  // FHIRPath-like location with array indexes: "CarePlan.activity[2].detail.code". Empty when
  // the issue concerns the input as a whole.
  std::string path;
  // What is wrong, without the path: "value \"actve\" is not in the required value set ...".
  std::string message;
};

// True when any issue is fatal or an error (warnings and information do not fail a request).
bool HasErrors(const std::vector<ValidationIssue>& issues);

}  // namespace duet::fhir
