#include "fhir/operation_outcome.h"

namespace duet::fhir {
namespace {

Json MakeIssue(const ValidationIssue& issue) {
  Json json = Json::MakeObject();
  json.Set("severity", Json::String(std::string(IssueSeverityCode(issue.severity))));
  json.Set("code", Json::String(issue.code.empty() ? "processing" : issue.code));
  std::string diagnostics = issue.path.empty() ? issue.message : issue.path + ": " + issue.message;
  if (!diagnostics.empty()) json.Set("diagnostics", Json::String(std::move(diagnostics)));
  if (!issue.path.empty()) {
    Json expression = Json::MakeArray();
    expression.Append(Json::String(issue.path));
    json.Set("expression", std::move(expression));
  }
  return json;
}

}  // namespace

std::string_view IssueSeverityCode(IssueSeverity severity) {
  switch (severity) {
    case IssueSeverity::kFatal: return "fatal";
    case IssueSeverity::kError: return "error";
    case IssueSeverity::kWarning: return "warning";
    case IssueSeverity::kInformation: return "information";
  }
  return "error";
}

Json MakeOperationOutcome(const std::vector<ValidationIssue>& issues) {
  Json outcome = Json::MakeObject();
  outcome.Set("resourceType", Json::String("OperationOutcome"));
  Json& list = outcome.Set("issue", Json::MakeArray());
  if (issues.empty()) {
    list.Append(MakeIssue({IssueSeverity::kInformation, "informational", "", "no problems found"}));
  }
  for (const ValidationIssue& issue : issues) list.Append(MakeIssue(issue));
  return outcome;
}

Json MakeOperationOutcome(IssueSeverity severity, std::string_view code, std::string_view message,
                          std::string_view path) {
  return MakeOperationOutcome(std::vector<ValidationIssue>{
      {severity, std::string(code), std::string(path), std::string(message)}});
}

}  // namespace duet::fhir
