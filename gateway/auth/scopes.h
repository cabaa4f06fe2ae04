// SMART system scopes for backend services, in both forms: v1 ("system/CarePlan.read",
// "system/CarePlan.write", "system/*.*") and v2 ("system/CarePlan.rs", "system/Task.cruds").
// v1 read means r+s, write means c+u+d, "*" means all five. Only `system/` scopes exist here:
// backend services act for an organization, not a user or a patient.
//
// Plain values and free functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/status.h"

namespace duet::gateway {

enum Permission : uint8_t {
  kCreate = 1,
  kRead = 2,
  kUpdate = 4,
  kDelete = 8,
  kSearch = 16,
};

struct Scope {
  std::string resource_type;  // "CarePlan", or "*" for every type
  uint8_t permissions = 0;    // Permission bits
  std::string text;           // as written
};

// One scope; kInvalidArgument naming what is wrong.
StatusOr<Scope> ParseScope(std::string_view text);
// A space-separated list; every scope must parse.
StatusOr<std::vector<Scope>> ParseScopes(std::string_view text);

// Whether `granted` allows `permission` on `resource_type`.
bool Permits(const std::vector<Scope>& granted, std::string_view resource_type,
             Permission permission);
// Whether everything `requested` asks for is within `allowed`.
bool Covers(const std::vector<Scope>& allowed, const Scope& requested);

}  // namespace duet::gateway
