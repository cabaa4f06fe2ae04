#include "mappings/code_tables.h"

namespace duet::mappings {
namespace {

constexpr std::string_view kCarePlanStatus = "http://hl7.org/fhir/request-status";
constexpr std::string_view kActivityStatus = "http://hl7.org/fhir/care-plan-activity-status";
constexpr std::string_view kTaskStatus = "http://hl7.org/fhir/task-status";

}  // namespace

const CodeRow* CodeTable::ByNative(std::string_view native) const {
  for (const CodeRow& row : rows_) {
    if (row.native == native) return &row;
  }
  return nullptr;
}

const CodeRow* CodeTable::ByCode(std::string_view system, std::string_view code) const {
  for (const CodeRow& row : rows_) {
    if (row.fhir.code.empty() || row.fhir.code != code) continue;
    if (row.fhir.system.empty() || row.fhir.system == system) return &row;
  }
  return nullptr;
}

const CodeRow* CodeTable::ByDisplay(std::string_view display) const {
  for (const CodeRow& row : rows_) {
    if (row.fhir.display == display) return &row;
  }
  return nullptr;
}

const CodeRow* CodeTable::ByFhirCode(std::string_view code) const {
  for (const CodeRow& row : rows_) {
    if (!row.fhir.code.empty() && row.fhir.code == code) return &row;
  }
  return nullptr;
}

const CodeTable& DisciplineCodes() {
  static const auto* table = new CodeTable({
      {"pt", {kSnomedSystem, "91251008", "Physical therapy procedure"}},
      {"ot", {kSnomedSystem, "84478008", "Occupational therapy"}},
      {"slp", {kSnomedSystem, "5154007", "Speech therapy"}},
  });
  return *table;
}

const CodeTable& ProviderRoleCodes() {
  static const auto* table = new CodeTable({
      {"physical_therapist", {kNuccSystem, "225100000X", "Physical Therapist"}},
      {"physical_therapist_assistant", {kNuccSystem, "225200000X", "Physical Therapy Assistant"}},
      {"occupational_therapist", {kNuccSystem, "225X00000X", "Occupational Therapist"}},
      {"speech_language_pathologist", {kNuccSystem, "235Z00000X", "Speech-Language Pathologist"}},
      {"nurse_practitioner", {kNuccSystem, "363L00000X", "Nurse Practitioner"}},
      {"physician_assistant", {kNuccSystem, "363A00000X", "Physician Assistant"}},
      {"physician", {"", "", "Physician"}},
      {"other", {"", "", "Other clinician"}},
  });
  return *table;
}

const CodeTable& PayerTypeCodes() {
  static const auto* table = new CodeTable({
      {"medicare", {kPayerTypeSystem, "1", "MEDICARE"}},
      {"medicaid", {kPayerTypeSystem, "2", "MEDICAID"}},
      {"commercial", {kPayerTypeSystem, "5", "PRIVATE HEALTH INSURANCE"}},
      {"workers_comp", {kPayerTypeSystem, "95", "Worker's Compensation"}},
      {"auto", {kPayerTypeSystem, "96", "Auto Insurance (includes no fault)"}},
      {"self_pay", {kPayerTypeSystem, "81", "Self-pay"}},
  });
  return *table;
}

const CodeTable& PlanStatusCodes() {
  static const auto* table = new CodeTable({
      {"draft", {kCarePlanStatus, "draft", ""}},
      {"active", {kCarePlanStatus, "active", ""}},
      {"on_hold", {kCarePlanStatus, "on-hold", ""}},
      {"completed", {kCarePlanStatus, "completed", ""}},
      {"voided", {kCarePlanStatus, "revoked", ""}},
  });
  return *table;
}

const CodeTable& HepStatusCodes() {
  static const auto* table = new CodeTable({
      {"active", {kCarePlanStatus, "active", ""}},
      {"completed", {kCarePlanStatus, "completed", ""}},
      {"stopped", {kCarePlanStatus, "revoked", ""}},
  });
  return *table;
}

const CodeTable& InterventionStatusCodes() {
  static const auto* table = new CodeTable({
      {"planned", {kActivityStatus, "not-started", ""}},
      {"active", {kActivityStatus, "in-progress", ""}},
      {"completed", {kActivityStatus, "completed", ""}},
      {"stopped", {kActivityStatus, "stopped", ""}},
  });
  return *table;
}

const CodeTable& ReferralTaskStatusCodes() {
  static const auto* table = new CodeTable({
      {"received", {kTaskStatus, "received", ""}},
      {"accepted", {kTaskStatus, "accepted", ""}},
      {"declined", {kTaskStatus, "rejected", ""}},
      {"scheduled", {kTaskStatus, "accepted", "scheduled"}},
      {"in_progress", {kTaskStatus, "in-progress", ""}},
      {"completed", {kTaskStatus, "completed", ""}},
      {"cancelled", {kTaskStatus, "cancelled", ""}},
  });
  return *table;
}

const CodeTable& ReferralRequestStatusCodes() {
  static const auto* table = new CodeTable({
      {"received", {kCarePlanStatus, "active", ""}},
      {"accepted", {kCarePlanStatus, "active", ""}},
      {"declined", {kCarePlanStatus, "revoked", ""}},
      {"scheduled", {kCarePlanStatus, "active", ""}},
      {"in_progress", {kCarePlanStatus, "active", ""}},
      {"completed", {kCarePlanStatus, "completed", ""}},
      {"cancelled", {kCarePlanStatus, "revoked", ""}},
  });
  return *table;
}

std::optional<GoalStatusCodes> GoalStatusToFhir(std::string_view status) {
  if (status == "ongoing") return GoalStatusCodes{"active", "in-progress", false};
  if (status == "met") return GoalStatusCodes{"completed", "achieved", false};
  if (status == "partially_met") return GoalStatusCodes{"active", "improving", true};
  if (status == "not_met") return GoalStatusCodes{"completed", "not-achieved", false};
  if (status == "discontinued") return GoalStatusCodes{"cancelled", "", false};
  return std::nullopt;
}

std::optional<std::string> GoalStatusFromFhir(std::string_view lifecycle,
                                              std::string_view achievement, bool partially_met) {
  if (lifecycle == "cancelled") return "discontinued";
  if (lifecycle == "completed") {
    if (achievement == "achieved") return "met";
    if (achievement == "not-achieved") return "not_met";
    if (achievement == "improving" || achievement == "sufficient-progress") return "partially_met";
    return std::nullopt;
  }
  if (lifecycle == "active" || lifecycle == "accepted" || lifecycle == "planned") {
    return partially_met ? "partially_met" : "ongoing";
  }
  return std::nullopt;
}

}  // namespace duet::mappings
