#include "gateway/workflow/task_state_machine.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace duet::gateway {
namespace {

using Transitions = std::map<std::string_view, std::vector<std::string_view>>;

// entered-in-error is reachable from every state and is added by CheckTaskTransition.
const Transitions& TaskTransitions() {
  static const auto* transitions = new Transitions{
      {"draft", {"requested", "cancelled"}},
      {"requested", {"received", "accepted", "rejected", "cancelled"}},
      {"received", {"accepted", "rejected", "cancelled"}},
      {"accepted", {"ready", "in-progress", "cancelled"}},
      {"ready", {"in-progress", "cancelled"}},
      {"in-progress", {"on-hold", "completed", "failed", "cancelled"}},
      {"on-hold", {"in-progress", "failed", "cancelled"}},
      {"completed", {}},
      {"rejected", {}},
      {"cancelled", {}},
      {"failed", {}},
      {"entered-in-error", {}},
  };
  return *transitions;
}

bool IsOpen(std::string_view status) {
  return status == "requested" || status == "received" || status == "accepted" ||
         status == "ready" || status == "in-progress";
}

std::string Join(const std::vector<std::string_view>& states) {
  std::string joined;
  for (std::string_view state : states) {
    if (!joined.empty()) joined += ", ";
    joined += state;
  }
  return joined.empty() ? "nothing (it is final)" : joined;
}

}  // namespace

Status CheckTaskTransition(std::string_view from, std::string_view to, bool approve_task) {
  if (from == to || to == "entered-in-error") return Status::Ok();
  auto known = TaskTransitions().find(from);
  if (known == TaskTransitions().end()) {
    return UnprocessableError("Task.status: '" + std::string(from) + "' is not a Task status");
  }
  std::vector<std::string_view> allowed = known->second;
  if (approve_task && IsOpen(from)) {
    for (std::string_view end : {"completed", "rejected", "failed"}) {
      if (std::find(allowed.begin(), allowed.end(), end) == allowed.end()) allowed.push_back(end);
    }
  }
  if (std::find(allowed.begin(), allowed.end(), to) != allowed.end()) return Status::Ok();
  return UnprocessableError("Task.status: a Task cannot move from '" + std::string(from) +
                            "' to '" + std::string(to) + "'; from '" + std::string(from) +
                            "' it may move to " + Join(allowed));
}

}  // namespace duet::gateway
