#include "gateway/cli/validate_command.h"

#include <iostream>
#include <sstream>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/operation_outcome.h"
#include "fhir/validation/validator.h"
#include "gateway/cli/cli_input.h"
#include "mappings/prf_validator.h"

namespace duet::gateway {
namespace {

// A PRF document names its type in "record"; a FHIR one has "resourceType".
bool LooksLikePrf(const fhir::Json& document) {
  return document.is_object() && document.Find("record") != nullptr &&
         document.Find("resourceType") == nullptr;
}

int ValidatePrf(const fhir::Json& document, std::ostream& out) {
  std::vector<mappings::PrfProblem> problems = mappings::PrfValidator::Shared().Validate(document);
  for (const mappings::PrfProblem& problem : problems) {
    out << "error";
    if (!problem.pointer.empty()) out << ' ' << problem.pointer;
    out << ": " << problem.message << '\n';
  }
  if (!problems.empty()) return kValidateInvalid;
  std::string_view type = document.StringOr("record");
  if (type == "batch") {
    size_t count = document.Find("records")->items().size();
    out << "OK batch of " << count << (count == 1 ? " record" : " records") << '\n';
  } else {
    out << "OK " << type << '\n';
  }
  return kValidateOk;
}

void PrintIssue(const fhir::ValidationIssue& issue, std::ostream& out) {
  out << fhir::IssueSeverityCode(issue.severity);
  if (!issue.path.empty()) out << ' ' << issue.path;
  out << ": " << issue.message << '\n';
}

}  // namespace

int RunValidateCommand(const std::string& path_or_dash, std::istream& stdin_stream,
                       std::ostream& out, std::ostream& err) {
  std::string text;
  std::ostringstream why;
  if (!ReadCommandInput(path_or_dash, stdin_stream, &text, why)) {
    err << "duet validate: " << why.str();
    return kValidateUsageError;
  }

  StatusOr<fhir::Json> parsed = fhir::ParseJson(text);
  if (!parsed.ok()) {
    out << "error: " << parsed.status().message() << '\n';  // names the byte offset
    return kValidateInvalid;
  }
  if (LooksLikePrf(*parsed)) return ValidatePrf(*parsed, out);
  if (!parsed->is_object() || parsed->Find("resourceType") == nullptr) {
    out << "error: neither a FHIR resource nor a PRF record: the document has no "
           "\"resourceType\" or \"record\" member\n";
    return kValidateInvalid;
  }

  std::vector<fhir::ValidationIssue> issues = fhir::Validator().Validate(*parsed);
  for (const fhir::ValidationIssue& issue : issues) PrintIssue(issue, out);
  if (fhir::HasErrors(issues)) return kValidateInvalid;
  out << "OK " << parsed->StringOr("resourceType") << '\n';
  return kValidateOk;
}

}  // namespace duet::gateway
