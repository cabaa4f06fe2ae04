#include "gateway/cli/validate_command.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "fhir/json.h"
#include "fhir/operation_outcome.h"
#include "fhir/validation/validator.h"

namespace duet::gateway {
namespace {

bool ReadAll(std::istream& in, std::string* text) {
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return false;
  *text = std::move(buffer).str();
  return true;
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
  if (path_or_dash == "-") {
    if (!ReadAll(stdin_stream, &text)) {
      err << "duet validate: cannot read standard input\n";
      return kValidateUsageError;
    }
  } else {
    std::error_code error;
    if (std::filesystem::is_directory(path_or_dash, error)) {
      err << "duet validate: " << path_or_dash << " is a directory\n";
      return kValidateUsageError;
    }
    std::ifstream file(path_or_dash, std::ios::binary);
    if (!file) {
      err << "duet validate: cannot open " << path_or_dash << ": " << std::strerror(errno) << '\n';
      return kValidateUsageError;
    }
    if (!ReadAll(file, &text)) {
      err << "duet validate: cannot read " << path_or_dash << '\n';
      return kValidateUsageError;
    }
  }

  StatusOr<fhir::Json> parsed = fhir::ParseJson(text);
  if (!parsed.ok()) {
    out << "error: " << parsed.status().message() << '\n';  // names the byte offset
    return kValidateInvalid;
  }
  if (!parsed->is_object() || parsed->Find("resourceType") == nullptr) {
    out << "error: not a FHIR resource: the document has no \"resourceType\" member\n";
    return kValidateInvalid;
  }

  std::vector<fhir::ValidationIssue> issues = fhir::Validator().Validate(*parsed);
  for (const fhir::ValidationIssue& issue : issues) PrintIssue(issue, out);
  if (fhir::HasErrors(issues)) return kValidateInvalid;
  out << "OK " << parsed->StringOr("resourceType") << '\n';
  return kValidateOk;
}

}  // namespace duet::gateway
