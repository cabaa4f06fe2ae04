// PartnerSharing: which of the practice's records a partner may receive (docs/sync.md). A plan
// of care is shared with a partner organization when one of its clinicians works there: the
// certifying physician or another contributor, a member of the plan's care team, or the
// physician who ordered the referral the plan answers. A clinician works at the partner when a
// PractitionerRole ties them to the Organization with the partner's NPI, or when their own NPI is
// the partner's (a physician in solo practice). Nothing else leaves the gateway.
//
// Reads the store when built; an immutable value afterwards (thread-safe).
#pragma once

#include <set>
#include <string>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

class PartnerSharing {
 public:
  static StatusOr<PartnerSharing> ForOrganization(ResourceStore& store,
                                                  const std::string& organization_npi);

  // True when the plan of care (a CarePlan as stored) is shared with this partner.
  StatusOr<bool> SharesPlan(ResourceStore& store, const fhir::Json& care_plan) const;

  const std::set<std::string>& practitioners() const { return practitioners_; }

 private:
  std::set<std::string> practitioners_;  // "Practitioner/<id>" working at the partner
};

}  // namespace duet::gateway
