#include "fhir/operation_outcome.h"

#include <gtest/gtest.h>

#include "fhir/validation/validator.h"

namespace duet::fhir {
namespace {

TEST(OperationOutcomeTest, OneIssuePerValidationIssue) {
  std::vector<ValidationIssue> issues = {
      {IssueSeverity::kError, "code-invalid", "CarePlan.status",
       "value \"actve\" is not in the required value set "
       "http://hl7.org/fhir/ValueSet/request-status"},
      {IssueSeverity::kWarning, "invalid", "", "whole-document note"}};
  Json outcome = MakeOperationOutcome(issues);
  EXPECT_EQ(WriteJson(outcome),
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"error",)"
            R"("code":"code-invalid","diagnostics":"CarePlan.status: value \"actve\" is not in )"
            R"(the required value set http://hl7.org/fhir/ValueSet/request-status",)"
            R"("expression":["CarePlan.status"]},{"severity":"warning","code":"invalid",)"
            R"("diagnostics":"whole-document note"}]})");
}

TEST(OperationOutcomeTest, EmptyListSaysAllIsWell) {
  Json outcome = MakeOperationOutcome(std::vector<ValidationIssue>{});
  EXPECT_EQ(WriteJson(outcome),
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"information",)"
            R"("code":"informational","diagnostics":"no problems found"}]})");
}

TEST(OperationOutcomeTest, SingleIssue) {
  Json outcome = MakeOperationOutcome(IssueSeverity::kFatal, "not-found", "Patient/9 is gone");
  EXPECT_EQ(WriteJson(outcome),
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"fatal",)"
            R"("code":"not-found","diagnostics":"Patient/9 is gone"}]})");
  Json with_path =
      MakeOperationOutcome(IssueSeverity::kError, "value", "bad date", "Patient.birthDate");
  EXPECT_EQ(*with_path.Find("issue")->items()[0].Find("expression"),
            *ParseJson(R"(["Patient.birthDate"])"));
}

TEST(OperationOutcomeTest, HasErrorsIgnoresWarningsAndInformation) {
  EXPECT_FALSE(HasErrors({}));
  EXPECT_FALSE(HasErrors({{IssueSeverity::kWarning, "invalid", "", "w"},
                          {IssueSeverity::kInformation, "informational", "", "i"}}));
  EXPECT_TRUE(HasErrors(
      {{IssueSeverity::kWarning, "invalid", "", "w"}, {IssueSeverity::kError, "value", "", "e"}}));
  EXPECT_TRUE(HasErrors({{IssueSeverity::kFatal, "exception", "", "f"}}));
}

TEST(OperationOutcomeTest, ValidatesAgainstTheR4Definitions) {
  std::vector<ValidationIssue> issues = {
      {IssueSeverity::kError, "structure", "Patient.foo", "unknown element \"foo\""}};
  EXPECT_TRUE(Validator().Validate(MakeOperationOutcome(issues)).empty());
  EXPECT_TRUE(Validator().Validate(MakeOperationOutcome(std::vector<ValidationIssue>{})).empty());
}

TEST(OperationOutcomeTest, SeverityCodes) {
  EXPECT_EQ(IssueSeverityCode(IssueSeverity::kFatal), "fatal");
  EXPECT_EQ(IssueSeverityCode(IssueSeverity::kError), "error");
  EXPECT_EQ(IssueSeverityCode(IssueSeverity::kWarning), "warning");
  EXPECT_EQ(IssueSeverityCode(IssueSeverity::kInformation), "information");
}

}  // namespace
}  // namespace duet::fhir
