#include "gateway/sync/partner_sharing.h"

#include <vector>

#include "fhir/search/search_query.h"
#include "gateway/workflow/workflow_support.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr char kNpiSystem[] = "http://hl7.org/fhir/sid/us-npi";

// The practitioners a resource names, as "Practitioner/<id>".
void CollectPractitioners(const Json& resource, std::set<std::string>* out) {
  std::vector<LiteralReference> references;
  CollectLiteralReferences(resource, &references);
  for (const LiteralReference& reference : references) {
    if (reference.type == "Practitioner") out->insert("Practitioner/" + reference.id);
  }
}

}  // namespace

StatusOr<PartnerSharing> PartnerSharing::ForOrganization(ResourceStore& store,
                                                         const std::string& organization_npi) {
  PartnerSharing sharing;
  std::string token = std::string(kNpiSystem) + "|" + organization_npi;
  DUET_ASSIGN_OR_RETURN(auto organizations,
                        SearchAllInStore(store, "Organization", {{"identifier", token}}));
  for (const StoredResource& organization : organizations) {
    DUET_ASSIGN_OR_RETURN(auto roles,
                          SearchAllInStore(store, "PractitionerRole",
                                           {{"organization", "Organization/" + organization.id}}));
    for (const StoredResource& role : roles) {
      DUET_ASSIGN_OR_RETURN(Json json, ParseStored(role));
      if (const Json* practitioner = json.Find("practitioner")) {
        LiteralReference reference;
        if (ParseLiteralReference(practitioner->StringOr("reference"), &reference)) {
          sharing.practitioners_.insert("Practitioner/" + reference.id);
        }
      }
    }
  }
  DUET_ASSIGN_OR_RETURN(auto solo,
                        SearchAllInStore(store, "Practitioner", {{"identifier", token}}));
  for (const StoredResource& practitioner : solo) {
    sharing.practitioners_.insert("Practitioner/" + practitioner.id);
  }
  return sharing;
}

StatusOr<bool> PartnerSharing::SharesPlan(ResourceStore& store, const Json& care_plan) const {
  if (practitioners_.empty()) return false;
  // Every reference but the author's (the practice's own therapist), without copying the plan.
  std::vector<LiteralReference> references;
  for (const auto& [name, member] : care_plan.members()) {
    if (name != "author") CollectLiteralReferences(member, &references);
  }
  std::set<std::string> named;
  for (const LiteralReference& reference : references) {
    if (reference.type == "Practitioner") named.insert("Practitioner/" + reference.id);
  }
  for (const LiteralReference& reference : references) {
    if (reference.type != "CareTeam" && reference.type != "ServiceRequest") continue;
    auto related = store.Read(reference.type, reference.id);
    if (!related.ok() || related->deleted) continue;
    DUET_ASSIGN_OR_RETURN(Json json, ParseStored(*related));
    CollectPractitioners(json, &named);
  }
  for (const std::string& practitioner : named) {
    if (practitioners_.count(practitioner) != 0) return true;
  }
  return false;
}

}  // namespace duet::gateway
