// InteractionResult: what one FHIR write or read produced, shared by the REST handler and the
// Bundle processor. A plain value.
#pragma once

#include <optional>
#include <vector>

#include "fhir/status.h"
#include "fhir/validation/validation_issue.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

struct InteractionResult {
  Status status;          // OK, or why the interaction failed
  int http_status = 200;  // 200, 201 (created) or 204 on success; from the Status otherwise
  std::optional<StoredResource> resource;     // the version written or found
  std::vector<fhir::ValidationIssue> issues;  // validation problems, when that is the failure

  bool ok() const { return status.ok(); }
  static InteractionResult Success(int http_status, StoredResource resource);
  static InteractionResult Failure(Status status);
  static InteractionResult Invalid(std::vector<fhir::ValidationIssue> issues);
};

}  // namespace duet::gateway
