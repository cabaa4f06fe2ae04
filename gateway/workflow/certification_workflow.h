// CertificationWorkflow: physician certification of plans of care on the FHIR side
// (FHIR-MAPPING.md §2.5, docs/workflows.md).
//
// - A plan-of-care CarePlan whose certification is `sent` gets a Task(approve) owned by the
//   certifying physician, focused on that CarePlan version and basedOn the CarePlan; an open
//   request for a version that says something else clinically is cancelled and replaced.
// - A Provenance with a Verification Signature targeting a CarePlan version, or a final
//   DocumentReference (LOINC 18776-5) with an authenticator related to the CarePlan, makes the
//   plan `signed` with the signature's date and completes the open request. A Provenance for a
//   version the plan has clinically moved on from is refused (409).
// - The physician rejecting the Task makes the plan `declined`; the Task failing, `expired`.
// - A CarePlan update keeps a certification decided on the FHIR side when the practice repeats
//   an older status for the same content; a clinical change to a signed plan makes it `sent`
//   again.
//
// Stateless apart from the mapping context; called by WorkflowRules inside write transactions.
#pragma once

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/store/resource_store.h"
#include "mappings/mapping_context.h"

namespace duet::gateway {

class CertificationWorkflow {
 public:
  explicit CertificationWorkflow(mappings::MappingContext context) : context_(std::move(context)) {}

  // CarePlan about to be written over `current` (null on create): merges the certification.
  void BeforeCarePlanWrite(const StoredResource* current, fhir::Json& next) const;
  Status AfterCarePlanWrite(WriteTransaction& tx, const StoredResource& written,
                            const fhir::Json& care_plan) const;
  Status AfterProvenanceWrite(WriteTransaction& tx, const fhir::Json& provenance) const;
  Status AfterDocumentReferenceWrite(WriteTransaction& tx, const fhir::Json& document) const;
  Status AfterApproveTaskWrite(WriteTransaction& tx, const fhir::Json& task,
                               const StoredResource* previous) const;

 private:
  // Signs (or declines, ...) the plan `plan_id` when `signed_version` (0 = current) still says
  // what the current version says; kConflict otherwise.
  Status Decide(WriteTransaction& tx, const std::string& plan_id, int64_t signed_version,
                std::string_view status, const std::string& signed_on,
                const std::string& evidence) const;
  Status CloseOpenRequests(WriteTransaction& tx, const std::string& plan_id,
                           std::string_view status, const std::string& when) const;

  mappings::MappingContext context_;
};

}  // namespace duet::gateway
