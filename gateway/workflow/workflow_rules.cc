#include "gateway/workflow/workflow_rules.h"

#include "gateway/workflow/task_state_machine.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/plan_certification.h"

namespace duet::gateway {
namespace {

using fhir::Json;

Status CheckTaskUpdate(const StoredResource* current, const Json& next) {
  if (current == nullptr || current->deleted) return Status::Ok();
  DUET_ASSIGN_OR_RETURN(Json stored, ParseStored(*current));
  return CheckTaskTransition(stored.StringOr("status"), next.StringOr("status"),
                             mappings::IsApproveTask(stored));
}

// A recertification completes the plan it replaces (FHIR-MAPPING.md §2.3).
Status CompleteReplacedPlans(WriteTransaction& tx, const Json& care_plan) {
  const Json* replaces = care_plan.Find("replaces");
  if (replaces == nullptr || !replaces->is_array()) return Status::Ok();
  for (const Json& reference : replaces->items()) {
    LiteralReference target;
    if (!ParseLiteralReference(reference.StringOr("reference"), &target) ||
        target.type != "CarePlan") {
      continue;
    }
    auto stored = tx.Read("CarePlan", target.id);
    if (!stored.ok() || stored->deleted) continue;
    DUET_ASSIGN_OR_RETURN(Json previous, ParseStored(*stored));
    std::string_view status = previous.StringOr("status");
    if (status == "completed" || status == "revoked" || status == "entered-in-error") continue;
    previous.Set("status", Json::String("completed"));
    DUET_RETURN_IF_ERROR(
        tx.Update("CarePlan", target.id, std::move(previous), std::nullopt).status());
  }
  return Status::Ok();
}

// A plan that a recertification replaced stays completed, whatever an older copy says.
Status KeepReplacedPlanCompleted(WriteTransaction& tx, const StoredResource* current, Json& next) {
  if (current == nullptr || current->deleted) return Status::Ok();
  std::string_view status = next.StringOr("status");
  if (status != "draft" && status != "active" && status != "on-hold") return Status::Ok();
  DUET_ASSIGN_OR_RETURN(
      std::vector<StoredResource> successors,
      SearchInTransaction(tx, "CarePlan", {{"replaces", "CarePlan/" + current->id}}));
  if (!successors.empty()) next.Set("status", Json::String("completed"));
  return Status::Ok();
}

}  // namespace

Status WorkflowRules::BeforeWrite(WriteTransaction& tx, const std::string& type,
                                  const StoredResource* current, Json& next) const {
  if (type == "Task") {
    DUET_RETURN_IF_ERROR(CheckTaskUpdate(current, next));
    return referrals_.BeforeTaskWrite(tx, current, next);
  }
  if (type == "CarePlan") {
    certification_.BeforeCarePlanWrite(current, next);
    return KeepReplacedPlanCompleted(tx, current, next);
  }
  if (type == "ServiceRequest") referrals_.BeforeServiceRequestWrite(current, next);
  return Status::Ok();
}

Status WorkflowRules::AfterWrite(WriteTransaction& tx, const StoredResource& written,
                                 const StoredResource* previous) const {
  const std::string& type = written.type;
  if (type != "CarePlan" && type != "Provenance" && type != "DocumentReference" && type != "Task") {
    return Status::Ok();
  }
  DUET_ASSIGN_OR_RETURN(Json resource, ParseStored(written));
  if (type == "CarePlan") {
    DUET_RETURN_IF_ERROR(CompleteReplacedPlans(tx, resource));
    return certification_.AfterCarePlanWrite(tx, written, resource);
  }
  if (type == "Provenance") return certification_.AfterProvenanceWrite(tx, resource);
  if (type == "DocumentReference") return certification_.AfterDocumentReferenceWrite(tx, resource);
  if (mappings::IsApproveTask(resource)) {
    return certification_.AfterApproveTaskWrite(tx, resource, previous);
  }
  return Status::Ok();
}

}  // namespace duet::gateway
