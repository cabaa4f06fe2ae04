// WorkflowRules: the gateway's FHIR-side workflows, run inside the write transaction of every
// create and update (docs/workflows.md):
// - Task status changes follow the FHIR Task state machine (task_state_machine.h);
// - physician certification of plans of care (certification_workflow.h);
// - a recertification (a CarePlan that `replaces` another) completes the plan it replaces;
// - referrals posted by partners become native inbound referrals (referral_intake.h).
//
// Immutable after construction; shared by every request thread.
#pragma once

#include "gateway/fhir_api/write_rules.h"
#include "gateway/workflow/certification_workflow.h"
#include "gateway/workflow/referral_intake.h"
#include "mappings/mapping_context.h"

namespace duet::gateway {

class WorkflowRules : public WriteRules {
 public:
  explicit WorkflowRules(const mappings::MappingContext& context)
      : certification_(context), referrals_(context) {}

  Status BeforeWrite(WriteTransaction& tx, const std::string& type, const StoredResource* current,
                     fhir::Json& next) const override;
  Status AfterWrite(WriteTransaction& tx, const StoredResource& written,
                    const StoredResource* previous) const override;

 private:
  CertificationWorkflow certification_;
  ReferralIntake referrals_;
};

}  // namespace duet::gateway
