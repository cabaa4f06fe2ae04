// Code systems, profile URLs, identifier kinds and the tables that translate PRF enumerations to
// FHIR codes and back (docs/fhir-mapping-spec.md §2, docs/mapping.md).
//
// Everything here is constant data built on first use; all functions are thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::mappings {

// Code systems and identifier systems.
inline constexpr std::string_view kNpiSystem = "http://hl7.org/fhir/sid/us-npi";
inline constexpr std::string_view kMbiSystem = "http://hl7.org/fhir/sid/us-mbi";
inline constexpr std::string_view kIcd10System = "http://hl7.org/fhir/sid/icd-10-cm";
inline constexpr std::string_view kCptSystem = "http://www.ama-assn.org/go/cpt";
inline constexpr std::string_view kSnomedSystem = "http://snomed.info/sct";
inline constexpr std::string_view kLoincSystem = "http://loinc.org";
inline constexpr std::string_view kRxNormSystem = "http://www.nlm.nih.gov/research/umls/rxnorm";
inline constexpr std::string_view kNuccSystem = "http://nucc.org/provider-taxonomy";
inline constexpr std::string_view kUcumSystem = "http://unitsofmeasure.org";
inline constexpr std::string_view kBcp47System = "urn:ietf:bcp:47";
inline constexpr std::string_view kIdentifierTypeSystem =
    "http://terminology.hl7.org/CodeSystem/v2-0203";
inline constexpr std::string_view kPayerTypeSystem = "urn:oid:2.16.840.1.113883.3.221.5";
inline constexpr std::string_view kCoverageClassSystem =
    "http://terminology.hl7.org/CodeSystem/coverage-class";
inline constexpr std::string_view kCarePlanCategorySystem =
    "http://hl7.org/fhir/us/core/CodeSystem/careplan-category";
inline constexpr std::string_view kConditionCategorySystem =
    "http://terminology.hl7.org/CodeSystem/condition-category";
inline constexpr std::string_view kConditionClinicalSystem =
    "http://terminology.hl7.org/CodeSystem/condition-clinical";
inline constexpr std::string_view kConditionVerificationSystem =
    "http://terminology.hl7.org/CodeSystem/condition-ver-status";
inline constexpr std::string_view kGoalCategorySystem =
    "http://terminology.hl7.org/CodeSystem/goal-category";
inline constexpr std::string_view kGoalAchievementSystem =
    "http://terminology.hl7.org/CodeSystem/goal-achievement";
inline constexpr std::string_view kGoalRelationshipTypeSystem =
    "http://terminology.hl7.org/CodeSystem/goal-relationship-type";
inline constexpr std::string_view kTaskCodeSystem = "http://hl7.org/fhir/CodeSystem/task-code";
inline constexpr std::string_view kCommunicationCategorySystem =
    "http://terminology.hl7.org/CodeSystem/communication-category";
inline constexpr std::string_view kListEmptyReasonSystem =
    "http://terminology.hl7.org/CodeSystem/list-empty-reason";

// Identifier kinds: "<identifier_base>/<kind>". The first eight are the ones of
// docs/fhir-mapping-spec.md; the rest name resources that a record owns besides its main one.
namespace kinds {
inline constexpr std::string_view kMrn = "mrn";
inline constexpr std::string_view kReferral = "referral";
inline constexpr std::string_view kPlanOfCare = "plan-of-care";
inline constexpr std::string_view kGoal = "goal";
inline constexpr std::string_view kHep = "hep";
inline constexpr std::string_view kExercise = "exercise";
inline constexpr std::string_view kNps = "nps";
inline constexpr std::string_view kEducation = "education";
inline constexpr std::string_view kCoverage = "coverage";
inline constexpr std::string_view kPractitionerRole = "practitioner-role";
inline constexpr std::string_view kCondition = "condition";
inline constexpr std::string_view kCareTeam = "care-team";
inline constexpr std::string_view kMedicationList = "medication-list";
inline constexpr std::string_view kMedicationStatement = "medication-statement";
inline constexpr std::string_view kMedicationDispense = "medication-dispense";
// Pulled medication history (medication_history_mapper.h), apart from the practice's own list.
inline constexpr std::string_view kMedicationHistoryStatement = "medication-history-statement";
inline constexpr std::string_view kMedicationHistoryDispense = "medication-history-dispense";
inline constexpr std::string_view kMedicationHistoryResponse = "medication-history-response";
inline constexpr std::string_view kQuestionnaire = "questionnaire";
inline constexpr std::string_view kCertification = "certification";
// The fallback identifier system of a medication history source's responses.
inline constexpr std::string_view kMedicationHistorySource = "medication-history-source";

// Every kind above (MappingContext makes their systems once).
inline constexpr std::array kAll = {
    kMrn,
    kReferral,
    kPlanOfCare,
    kGoal,
    kHep,
    kExercise,
    kNps,
    kEducation,
    kCoverage,
    kPractitionerRole,
    kCondition,
    kCareTeam,
    kMedicationList,
    kMedicationStatement,
    kMedicationDispense,
    kMedicationHistoryStatement,
    kMedicationHistoryDispense,
    kMedicationHistoryResponse,
    kQuestionnaire,
    kCertification,
    kMedicationHistorySource,
};
}  // namespace kinds

// US Core 6.1.0 profiles.
namespace profiles {
inline constexpr std::string_view kPatient =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient";
inline constexpr std::string_view kPractitioner =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-practitioner";
inline constexpr std::string_view kPractitionerRole =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-practitionerrole";
inline constexpr std::string_view kOrganization =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-organization";
inline constexpr std::string_view kCoverage =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-coverage";
inline constexpr std::string_view kGoal =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-goal";
inline constexpr std::string_view kCarePlan =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-careplan";
inline constexpr std::string_view kCareTeam =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-careteam";
inline constexpr std::string_view kCondition =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-encounter-diagnosis";
inline constexpr std::string_view kServiceRequest =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-servicerequest";
inline constexpr std::string_view kMedicationDispense =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-medicationdispense";
inline constexpr std::string_view kQuestionnaireResponse =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-questionnaireresponse";
}  // namespace profiles

// A FHIR code with its system and display.
struct CodedValue {
  std::string_view system;
  std::string_view code;
  std::string_view display;
};

// One row of an enumeration table: the PRF value and its FHIR coding.
struct CodeRow {
  std::string_view native;
  CodedValue fhir;
};

// A PRF enumeration ⇄ FHIR code table; lookups in both directions.
class CodeTable {
 public:
  explicit CodeTable(std::vector<CodeRow> rows) : rows_(std::move(rows)) {}
  const CodeRow* ByNative(std::string_view native) const;
  // Matches system and code; an empty system in the table matches any system.
  const CodeRow* ByCode(std::string_view system, std::string_view code) const;
  const CodeRow* ByDisplay(std::string_view display) const;
  // Matches the code alone: for FHIR elements of type code, which carry no system.
  const CodeRow* ByFhirCode(std::string_view code) const;
  const std::vector<CodeRow>& rows() const { return rows_; }

 private:
  std::vector<CodeRow> rows_;
};

// pt / ot / slp ⇄ SNOMED procedure codes.
const CodeTable& DisciplineCodes();
// PRF provider roles ⇄ NUCC taxonomy (physician and other have no single code: text only).
const CodeTable& ProviderRoleCodes();
// Insurance kind ⇄ PHDSC Source of Payment Typology (US Core's payer type value set).
const CodeTable& PayerTypeCodes();
// Plan-of-care status ⇄ CarePlan.status.
const CodeTable& PlanStatusCodes();
// Home exercise program status ⇄ CarePlan.status.
const CodeTable& HepStatusCodes();
// Intervention status ⇄ CarePlan.activity.detail.status.
const CodeTable& InterventionStatusCodes();
// Referral status ⇄ Task.status (scheduled is accepted + businessStatus "scheduled").
const CodeTable& ReferralTaskStatusCodes();
// Referral status ⇄ ServiceRequest.status (one way: derived from the native status).
const CodeTable& ReferralRequestStatusCodes();

// Goal status ⇄ Goal.lifecycleStatus + achievementStatus (+ partiallyMet extension).
struct GoalStatusCodes {
  std::string_view lifecycle;
  std::string_view achievement;  // empty: none
  bool partially_met = false;
};
std::optional<GoalStatusCodes> GoalStatusToFhir(std::string_view status);
std::optional<std::string> GoalStatusFromFhir(std::string_view lifecycle,
                                              std::string_view achievement, bool partially_met);

}  // namespace duet::mappings
