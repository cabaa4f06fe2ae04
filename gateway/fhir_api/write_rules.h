// WriteRules: business rules that run inside the write transaction of every FHIR create and
// update (a single request, a transaction Bundle entry, a practice-API upload), so that a rule
// and the write it judges or follows commit together or not at all.
//
// Implementations (gateway/workflow/) must be thread-safe: several transactions never run at
// once on one store, but the object is shared by every request thread.
#pragma once

#include <string>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

class WriteRules {
 public:
  virtual ~WriteRules() = default;

  // Before `next` is stored as a new resource (`current` null) or as a new version of `current`.
  // May refuse (the write fails with that status) or complete `next` (e.g. add an identifier).
  virtual Status BeforeWrite(WriteTransaction& tx, const std::string& type,
                             const StoredResource* current, fhir::Json& next) const = 0;

  // After a new version was stored: follow-up writes in the same transaction. A failure undoes
  // the whole transaction.
  virtual Status AfterWrite(WriteTransaction& tx, const StoredResource& written,
                            const StoredResource* previous) const = 0;
};

}  // namespace duet::gateway
