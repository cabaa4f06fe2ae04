#include "fhir/validation/validation_issue.h"

#include <algorithm>

namespace duet::fhir {

bool HasErrors(const std::vector<ValidationIssue>& issues) {
  return std::any_of(issues.begin(), issues.end(), [](const ValidationIssue& issue) {
    return issue.severity == IssueSeverity::kFatal || issue.severity == IssueSeverity::kError;
  });
}

}  // namespace duet::fhir
