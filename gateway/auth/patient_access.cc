#include "gateway/auth/patient_access.h"

#include <vector>

#include "gateway/workflow/workflow_support.h"

namespace duet::gateway {

using fhir::Json;

StatusOr<PatientAccess> PatientAccess::ForOrganization(ResourceStore& store,
                                                       const std::string& organization_npi) {
  DUET_ASSIGN_OR_RETURN(PartnerSharing sharing,
                        PartnerSharing::ForOrganization(store, organization_npi));
  return PatientAccess(store, std::move(sharing));
}

StatusOr<bool> PatientAccess::MaySeePatient(const std::string& patient_id) {
  auto known = decided_.find(patient_id);
  if (known != decided_.end()) return known->second;
  DUET_ASSIGN_OR_RETURN(bool shared, Decide(patient_id));
  decided_[patient_id] = shared;
  return shared;
}

StatusOr<bool> PatientAccess::Decide(const std::string& patient_id) {
  if (sharing_.practitioners().empty()) return false;
  std::string subject = "Patient/" + patient_id;
  DUET_ASSIGN_OR_RETURN(auto plans, SearchAllInStore(*store_, "CarePlan", {{"subject", subject}}));
  for (const StoredResource& plan : plans) {
    DUET_ASSIGN_OR_RETURN(Json json, ParseStored(plan));
    DUET_ASSIGN_OR_RETURN(bool shared, sharing_.SharesPlan(*store_, json));
    if (shared) return true;
  }
  DUET_ASSIGN_OR_RETURN(auto referrals,
                        SearchAllInStore(*store_, "ServiceRequest", {{"subject", subject}}));
  for (const StoredResource& referral : referrals) {
    DUET_ASSIGN_OR_RETURN(Json json, ParseStored(referral));
    const Json* requester = json.Find("requester");
    LiteralReference reference;
    if (requester != nullptr &&
        ParseLiteralReference(requester->StringOr("reference"), &reference) &&
        sharing_.practitioners().count("Practitioner/" + reference.id) != 0) {
      return true;
    }
  }
  return false;
}

StatusOr<bool> PatientAccess::MaySee(const Json& resource) {
  if (resource.StringOr("resourceType") == "Patient") {
    return MaySeePatient(std::string(resource.StringOr("id")));
  }
  std::vector<LiteralReference> references;
  CollectLiteralReferences(resource, &references);
  for (const LiteralReference& reference : references) {
    if (reference.type != "Patient") continue;
    DUET_ASSIGN_OR_RETURN(bool shared, MaySeePatient(reference.id));
    if (!shared) return false;
  }
  return true;
}

}  // namespace duet::gateway
