// The FHIR R4 Task state machine (https://hl7.org/fhir/R4/task.html#statemachine), which shared
// Tasks follow whoever writes them: a referral's Task runs requested → received → accepted |
// rejected → in-progress → completed, or is cancelled on the way; a certification Task
// (task-code#approve) may also be completed, rejected or failed straight from requested, since a
// physician signs (or refuses) in one step.
//
// Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "fhir/status.h"

namespace duet::gateway {

// OK when a Task may move from `from` to `to` (staying put is always allowed); otherwise
// kUnprocessable naming both states and the states `from` may move to.
Status CheckTaskTransition(std::string_view from, std::string_view to, bool approve_task);

}  // namespace duet::gateway
