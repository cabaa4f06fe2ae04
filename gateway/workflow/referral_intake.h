// ReferralIntake: turns a referral that a partner posts over FHIR (a ServiceRequest plus its
// Task) into a native referral the practice sees in its intake queue (FHIR-MAPPING.md §2.2,
// scenario 2). Only ServiceRequests with category SNOMED CT 3457005 "Patient referral" are
// referrals. The ServiceRequest keeps the sender's identifiers and gains the practice's own:
// <identifier_base>/referral | "IN-" + 12 hex digits derived from the sender's first identifier
// (so a replay names the same referral), direction `inbound`, and the time it arrived as its
// record-updated-at. An update that omits what the gateway added keeps it.
//
// Stateless apart from the mapping context; called by WorkflowRules inside write transactions.
#pragma once

#include "fhir/json.h"
#include "gateway/store/resource_store.h"
#include "mappings/mapping_context.h"

namespace duet::gateway {

class ReferralIntake {
 public:
  explicit ReferralIntake(mappings::MappingContext context) : context_(std::move(context)) {}

  void BeforeServiceRequestWrite(const StoredResource* current, fhir::Json& next) const;
  // The Task of an inbound referral carries the practice's referral identifier too (from the
  // ServiceRequest it focuses on), so the practice's own record of the referral updates that Task
  // instead of making a second one; an update keeps the identifiers the Task had (the
  // partner's).
  Status BeforeTaskWrite(WriteTransaction& tx, const StoredResource* current,
                         fhir::Json& next) const;

 private:
  mappings::MappingContext context_;
};

}  // namespace duet::gateway
