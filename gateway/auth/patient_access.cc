#include "gateway/auth/patient_access.h"

#include <vector>

#include "gateway/workflow/workflow_support.h"

namespace duet::gateway {

using fhir::Json;

namespace {
// Decisions on resource texts kept per organization and store generation (~100 bytes each).
constexpr size_t kMaxRemembered = 100000;
}  // namespace

StatusOr<std::shared_ptr<PatientAccess>> PatientAccess::ForOrganization(
    ResourceStore& store, const std::string& organization_npi) {
  DUET_ASSIGN_OR_RETURN(PartnerSharing sharing,
                        PartnerSharing::ForOrganization(store, organization_npi));
  return std::shared_ptr<PatientAccess>(new PatientAccess(store, std::move(sharing)));
}

StatusOr<bool> PatientAccess::MaySeePatient(const std::string& patient_id) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto known = decided_.find(patient_id);
    if (known != decided_.end()) return known->second;
  }
  DUET_ASSIGN_OR_RETURN(bool shared, Decide(patient_id));  // outside the lock: it reads the store
  std::lock_guard<std::mutex> lock(mutex_);
  decided_[patient_id] = shared;
  return shared;
}

StatusOr<bool> PatientAccess::Decide(const std::string& patient_id) const {
  if (sharing_.practitioners().empty()) return false;
  std::string subject = "Patient/" + patient_id;
  DUET_ASSIGN_OR_RETURN(auto plans, SearchAllInStore(store_, "CarePlan", {{"subject", subject}}));
  for (const StoredResource& plan : plans) {
    DUET_ASSIGN_OR_RETURN(Json json, ParseStored(plan));
    DUET_ASSIGN_OR_RETURN(bool shared, sharing_.SharesPlan(store_, json));
    if (shared) return true;
  }
  DUET_ASSIGN_OR_RETURN(auto referrals,
                        SearchAllInStore(store_, "ServiceRequest", {{"subject", subject}}));
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

StatusOr<bool> PatientAccess::MaySeeText(const std::string& key, const std::string& json_text) {
  {
    std::shared_lock<std::shared_mutex> lock(seen_mutex_);
    auto known = seen_.find(key);
    if (known != seen_.end()) return known->second;
  }
  auto parsed = fhir::ParseJson(json_text);
  bool visible = true;
  if (parsed.ok()) {
    DUET_ASSIGN_OR_RETURN(visible, MaySee(*parsed));
  }
  std::unique_lock<std::shared_mutex> lock(seen_mutex_);
  if (seen_.size() >= kMaxRemembered) seen_.clear();
  seen_[key] = visible;
  return visible;
}

StatusOr<std::shared_ptr<PatientAccess>> PatientAccessCache::For(
    const std::string& organization_npi) {
  // Read before deciding: a write that lands meanwhile makes the next request start afresh.
  uint64_t generation = store_.WriteGeneration();
  {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto found = entries_.find(organization_npi);
    if (found != entries_.end() && found->second.generation == generation) {
      return found->second.access;
    }
  }
  DUET_ASSIGN_OR_RETURN(auto access, PatientAccess::ForOrganization(store_, organization_npi));
  std::unique_lock<std::shared_mutex> lock(mutex_);
  entries_[organization_npi] = Entry{generation, access};
  return access;
}

}  // namespace duet::gateway
