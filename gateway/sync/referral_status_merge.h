// Merging the practice's side of a referral's Task onto the partner's copy of it
// (FHIR-MAPPING.md §4 "Concurrency", scenario 8). The practice, as the Task's owner, owns
// `status`, `businessStatus`, `statusReason` and `output`; every other field is the partner's
// and is left as the partner has it. The status moves only when the practice changed it since
// the partner's Task last reflected it, and only along the FHIR Task state machine from the
// partner's current status (task_state_machine.h): a partner that moved its Task to in-progress
// keeps it there when the practice only set businessStatus.
//
// Pure functions apart from PortableOutputs, which reads the store; any thread may call them.
#pragma once

#include <string_view>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

struct StatusMerge {
  fhir::Json task;       // the partner's Task with the practice's fields applied
  bool changed = false;  // whether that differs from the partner's Task
};

// `local_task` is the practice's Task with PortableOutputs applied; `base_status` the local
// status the partner's Task last reflected. kUnprocessable, naming both Tasks' states, when the
// practice's status change cannot be made from the partner's current status.
StatusOr<StatusMerge> MergePracticeOwnedFields(const fhir::Json& partner_task,
                                               const fhir::Json& local_task,
                                               std::string_view base_status);

// The local Task with each output's literal reference (meaningless at the partner) replaced by a
// logical one: the referenced resource's first business identifier, its type and display.
StatusOr<fhir::Json> PortableOutputs(ResourceStore& store, fhir::Json local_task);

}  // namespace duet::gateway
