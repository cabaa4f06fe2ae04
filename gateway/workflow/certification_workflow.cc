#include "gateway/workflow/certification_workflow.h"

#include <optional>
#include <string>

#include "gateway/workflow/workflow_support.h"
#include "mappings/plan_certification.h"

namespace duet::gateway {
namespace {

using fhir::Json;
namespace cert = mappings::certification_status;

constexpr std::string_view kAstmSignatureSystem = "urn:iso-astm:E1762-95:2013";
constexpr std::string_view kVerificationSignature = "1.2.840.10065.1.12.1.5";
constexpr std::string_view kLoincSystem = "http://loinc.org";
constexpr std::string_view kPlanOfCareNote = "18776-5";

bool IsOpenTask(std::string_view status) {
  return status == "draft" || status == "requested" || status == "received" ||
         status == "accepted" || status == "ready" || status == "in-progress" ||
         status == "on-hold";
}

bool HasCoding(const Json* concept_or_list, std::string_view system, std::string_view code) {
  if (concept_or_list == nullptr) return false;
  if (concept_or_list->is_array()) {
    for (const Json& item : concept_or_list->items()) {
      if (item.StringOr("system") == system && item.StringOr("code") == code) return true;
      if (HasCoding(&item, system, code)) return true;
    }
    return false;
  }
  return HasCoding(concept_or_list->Find("coding"), system, code);
}

// The date part of a FHIR dateTime/instant.
std::string DatePart(std::string_view when) { return std::string(when.substr(0, 10)); }

}  // namespace

void CertificationWorkflow::BeforeCarePlanWrite(const StoredResource* current, Json& next) const {
  std::optional<mappings::PlanCertification> incoming = mappings::ReadPlanCertification(next);
  if (current == nullptr || current->deleted || !incoming) return;
  auto stored_json = ParseStored(*current);
  if (!stored_json.ok()) return;
  std::optional<mappings::PlanCertification> stored = mappings::ReadPlanCertification(*stored_json);
  if (!stored) return;
  bool decided = stored->status == cert::kSigned || stored->status == cert::kDeclined ||
                 stored->status == cert::kExpired;
  if (!decided) return;
  bool same_content = mappings::SameClinicalContent(*stored_json, next);
  if (!same_content && incoming->status == cert::kSigned &&
      incoming->signed_on == stored->signed_on) {
    // The plan changed after it was signed: the signature does not cover the new content.
    mappings::SetPlanCertification(next, cert::kSent, "");
    return;
  }
  bool repeats_older_state =
      (incoming->status == cert::kSent || incoming->status == cert::kNotSent) &&
      incoming->sent_on == stored->sent_on;
  if (same_content && repeats_older_state) {
    // The practice has not heard of the physician's decision yet: keep it.
    mappings::SetPlanCertification(next, stored->status, stored->signed_on);
  }
}

Status CertificationWorkflow::AfterCarePlanWrite(WriteTransaction& tx,
                                                 const StoredResource& written,
                                                 const Json& care_plan) const {
  std::optional<mappings::PlanCertification> certification =
      mappings::ReadPlanCertification(care_plan);
  if (!certification || certification->status != cert::kSent) return Status::Ok();
  DUET_ASSIGN_OR_RETURN(
      std::vector<StoredResource> tasks,
      SearchInTransaction(tx, "Task",
                          {{"based-on", "CarePlan/" + written.id},
                           {"code", "http://hl7.org/fhir/CodeSystem/task-code|approve"}}));
  bool covered = false;
  for (const StoredResource& stored : tasks) {
    DUET_ASSIGN_OR_RETURN(Json task, ParseStored(stored));
    if (!IsOpenTask(task.StringOr("status"))) continue;
    LiteralReference focus;
    const Json* focus_json = task.Find("focus");
    bool still_covers = false;
    if (focus_json != nullptr && ParseLiteralReference(focus_json->StringOr("reference"), &focus) &&
        focus.id == written.id) {
      if (focus.version == written.version_id || focus.version == 0) {
        still_covers = true;
      } else {
        auto version = tx.ReadVersion("CarePlan", written.id, focus.version);
        if (version.ok() && !version->deleted) {
          DUET_ASSIGN_OR_RETURN(Json signed_content, ParseStored(*version));
          still_covers = mappings::SameClinicalContent(signed_content, care_plan);
        }
      }
    }
    if (still_covers) {
      covered = true;
      continue;
    }
    task.Set("status", Json::String("cancelled"));
    task.Set("statusReason",
             fhir::ParseJson("{\"text\":\"the plan of care changed; version " +
                             std::to_string(written.version_id) + " needs certification\"}")
                 .value());
    DUET_RETURN_IF_ERROR(tx.Update("Task", stored.id, std::move(task), std::nullopt).status());
  }
  if (covered) return Status::Ok();
  std::string version = std::to_string(written.version_id);
  std::optional<Json> request = mappings::CertificationRequestTask(
      care_plan, "CarePlan/" + written.id + "/_history/" + version, version, context_);
  if (!request) return Status::Ok();
  request->Set("basedOn",
               fhir::ParseJson("[{\"reference\":\"CarePlan/" + written.id + "\"}]").value());
  return tx.Create("Task", "", std::move(*request)).status();
}

Status CertificationWorkflow::AfterProvenanceWrite(WriteTransaction& tx,
                                                   const Json& provenance) const {
  const Json* signatures = provenance.Find("signature");
  const Json* verification = nullptr;
  if (signatures != nullptr && signatures->is_array()) {
    for (const Json& signature : signatures->items()) {
      if (HasCoding(signature.Find("type"), kAstmSignatureSystem, kVerificationSignature)) {
        verification = &signature;
      }
    }
  }
  const Json* targets = provenance.Find("target");
  if (verification == nullptr || targets == nullptr || !targets->is_array()) return Status::Ok();
  std::string when(verification->StringOr("when"));
  for (const Json& target : targets->items()) {
    LiteralReference reference;
    if (!ParseLiteralReference(target.StringOr("reference"), &reference) ||
        reference.type != "CarePlan") {
      continue;
    }
    DUET_RETURN_IF_ERROR(Decide(tx, reference.id, reference.version, cert::kSigned, DatePart(when),
                                "Provenance with a Verification Signature")
                             .WithContext("Provenance.target"));
  }
  return Status::Ok();
}

Status CertificationWorkflow::AfterDocumentReferenceWrite(WriteTransaction& tx,
                                                          const Json& document) const {
  if (!HasCoding(document.Find("type"), kLoincSystem, kPlanOfCareNote) ||
      document.StringOr("docStatus") != "final" || document.Find("authenticator") == nullptr) {
    return Status::Ok();
  }
  const Json* context = document.Find("context");
  const Json* related = context == nullptr ? nullptr : context->Find("related");
  if (related == nullptr || !related->is_array()) return Status::Ok();
  std::string date(document.StringOr("date"));
  std::string signed_on = date.empty() ? TodayUtc() : DatePart(date);
  for (const Json& item : related->items()) {
    LiteralReference reference;
    if (!ParseLiteralReference(item.StringOr("reference"), &reference) ||
        reference.type != "CarePlan") {
      continue;
    }
    DUET_RETURN_IF_ERROR(Decide(tx, reference.id, reference.version, cert::kSigned, signed_on,
                                "signed plan-of-care document")
                             .WithContext("DocumentReference.context.related"));
  }
  return Status::Ok();
}

Status CertificationWorkflow::AfterApproveTaskWrite(WriteTransaction& tx, const Json& task,
                                                    const StoredResource* previous) const {
  std::string_view status = task.StringOr("status");
  std::string_view decision = status == "rejected" ? cert::kDeclined
                              : status == "failed" ? cert::kExpired
                                                   : std::string_view();
  if (decision.empty()) return Status::Ok();
  if (previous != nullptr) {
    auto before = ParseStored(*previous);
    if (before.ok() && before->StringOr("status") == status) return Status::Ok();
  }
  const Json* focus = task.Find("focus");
  LiteralReference reference;
  if (focus == nullptr || !ParseLiteralReference(focus->StringOr("reference"), &reference) ||
      reference.type != "CarePlan") {
    return Status::Ok();
  }
  return Decide(tx, reference.id, reference.version, decision, "", "Task " + std::string(status))
      .WithContext("Task.focus");
}

Status CertificationWorkflow::Decide(WriteTransaction& tx, const std::string& plan_id,
                                     int64_t signed_version, std::string_view status,
                                     const std::string& signed_on,
                                     const std::string& evidence) const {
  auto current = tx.Read("CarePlan", plan_id);
  if (!current.ok() || current->deleted) {
    return UnprocessableError("CarePlan/" + plan_id + " does not exist");
  }
  DUET_ASSIGN_OR_RETURN(Json care_plan, ParseStored(*current));
  std::optional<mappings::PlanCertification> certification =
      mappings::ReadPlanCertification(care_plan);
  if (!certification) return Status::Ok();  // not a plan of care: nothing to certify
  if (signed_version != 0 && signed_version != current->version_id) {
    auto version = tx.ReadVersion("CarePlan", plan_id, signed_version);
    if (!version.ok()) return version.status();
    DUET_ASSIGN_OR_RETURN(Json signed_content, ParseStored(*version));
    if (!mappings::SameClinicalContent(signed_content, care_plan)) {
      return ConflictError("the " + evidence + " is for CarePlan/" + plan_id + "/_history/" +
                           std::to_string(signed_version) +
                           ", but the plan of care has changed "
                           "since; version " +
                           std::to_string(current->version_id) + " needs its own certification");
    }
  }
  std::string when = signed_on.empty() ? TodayUtc() : signed_on;
  DUET_RETURN_IF_ERROR(CloseOpenRequests(tx, plan_id, status, when));
  if (certification->status == status && certification->signed_on == signed_on) {
    return Status::Ok();
  }
  mappings::SetPlanCertification(care_plan, status, signed_on);
  return tx.Update("CarePlan", plan_id, std::move(care_plan), std::nullopt).status();
}

Status CertificationWorkflow::CloseOpenRequests(WriteTransaction& tx, const std::string& plan_id,
                                                std::string_view status,
                                                const std::string& when) const {
  if (status != cert::kSigned) return Status::Ok();  // a rejected or failed Task closed itself
  DUET_ASSIGN_OR_RETURN(
      std::vector<StoredResource> tasks,
      SearchInTransaction(tx, "Task",
                          {{"based-on", "CarePlan/" + plan_id},
                           {"code", "http://hl7.org/fhir/CodeSystem/task-code|approve"}}));
  for (const StoredResource& stored : tasks) {
    DUET_ASSIGN_OR_RETURN(Json task, ParseStored(stored));
    if (!IsOpenTask(task.StringOr("status")) || task.StringOr("status") == "draft") continue;
    task.Set("status", Json::String("completed"));
    Json* period = task.Find("executionPeriod");
    if (period == nullptr || !period->is_object()) {
      period = &task.Set("executionPeriod", Json::MakeObject());
    }
    period->Set("end", Json::String(when));
    DUET_RETURN_IF_ERROR(tx.Update("Task", stored.id, std::move(task), std::nullopt).status());
  }
  return Status::Ok();
}

}  // namespace duet::gateway
