#include "gateway/sync/referral_status_merge.h"

#include <string>

#include "gateway/workflow/task_state_machine.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/resource_set.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr const char* kOwnedFields[] = {"businessStatus", "statusReason", "output"};

// A logical reference to the stored resource `target` names, or the reference as it is.
StatusOr<Json> LogicalReference(ResourceStore& store, const Json& reference) {
  LiteralReference target;
  if (!ParseLiteralReference(reference.StringOr("reference"), &target)) return reference;
  auto stored = store.Read(target.type, target.id);
  if (!stored.ok() || stored->deleted) return reference;
  DUET_ASSIGN_OR_RETURN(Json resource, ParseStored(*stored));
  Json logical = Json::MakeObject();
  logical.Set("type", Json::String(target.type));
  if (auto identifier = mappings::BusinessIdentifier(resource)) {
    Json value = Json::MakeObject();
    value.Set("system", Json::String(identifier->first));
    value.Set("value", Json::String(identifier->second));
    logical.Set("identifier", std::move(value));
  }
  if (const Json* display = reference.Find("display")) logical.Set("display", *display);
  return logical;
}

}  // namespace

StatusOr<StatusMerge> MergePracticeOwnedFields(const Json& partner_task, const Json& local_task,
                                               std::string_view base_status) {
  StatusMerge merge{partner_task, false};
  std::string local_status(local_task.StringOr("status"));
  std::string partner_status(partner_task.StringOr("status"));
  if (local_status != base_status && local_status != partner_status) {
    Status legal = CheckTaskTransition(partner_status, local_status, false);
    if (!legal.ok()) {
      return UnprocessableError("the practice moved its Task from '" + std::string(base_status) +
                                "' to '" + local_status + "', but the partner's Task is '" +
                                partner_status + "' now: " + legal.message());
    }
    merge.task.Set("status", Json::String(local_status));
  }
  for (const char* field : kOwnedFields) {
    if (const Json* value = local_task.Find(field)) {
      merge.task.Set(field, *value);
    } else {
      merge.task.Remove(field);
    }
  }
  merge.changed = merge.task != partner_task;
  return merge;
}

StatusOr<Json> PortableOutputs(ResourceStore& store, Json local_task) {
  Json* outputs = local_task.Find("output");
  if (outputs == nullptr || !outputs->is_array()) return local_task;
  for (Json& output : outputs->items()) {
    Json* reference = output.Find("valueReference");
    if (reference == nullptr || !reference->is_object()) continue;
    DUET_ASSIGN_OR_RETURN(*reference, LogicalReference(store, *reference));
  }
  return local_task;
}

}  // namespace duet::gateway
