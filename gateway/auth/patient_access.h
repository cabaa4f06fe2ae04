// PatientAccess: which patients' data a partner organization may see through the FHIR API: the
// same rule that decides what the sync jobs push (gateway/sync/partner_sharing.h). A patient is
// shared with the organization when one of the patient's plans of care is shared with it, or when
// one of its clinicians ordered a referral for the patient. A resource is visible when every
// patient it refers to (its patient compartments, read as its references to Patient) is shared;
// a Patient when it is shared itself; resources that refer to no patient (practitioners,
// organizations, ...) are visible.
//
// One instance per request: it reads the store as it decides and remembers its answers. Not
// thread-safe; holds a reference to the store, which must outlive it.
#pragma once

#include <map>
#include <string>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/store/resource_store.h"
#include "gateway/sync/partner_sharing.h"

namespace duet::gateway {

class PatientAccess {
 public:
  static StatusOr<PatientAccess> ForOrganization(ResourceStore& store,
                                                 const std::string& organization_npi);

  StatusOr<bool> MaySeePatient(const std::string& patient_id);
  StatusOr<bool> MaySee(const fhir::Json& resource);

 private:
  PatientAccess(ResourceStore& store, PartnerSharing sharing)
      : store_(&store), sharing_(std::move(sharing)) {}
  StatusOr<bool> Decide(const std::string& patient_id);

  ResourceStore* store_;
  PartnerSharing sharing_;
  std::map<std::string, bool> decided_;  // patient id → shared
};

}  // namespace duet::gateway
