// PatientAccess: which patients' data a partner organization may see through the FHIR API: the
// same rule that decides what the sync jobs push (gateway/sync/partner_sharing.h). A patient is
// shared with the organization when one of the patient's plans of care is shared with it, or when
// one of its clinicians ordered a referral for the patient. A resource is visible when every
// patient it refers to (its patient compartments, read as its references to Patient) is shared;
// a Patient when it is shared itself; resources that refer to no patient (practitioners,
// organizations, ...) are visible.
//
// PatientAccessCache keeps one PatientAccess per organization for as long as the store has not
// been written (ResourceStore::WriteGeneration), so repeated reads decide each patient, and each
// version of a resource read, once.
// Both are thread-safe; they hold a reference to the store, which must outlive them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/store/resource_store.h"
#include "gateway/sync/partner_sharing.h"

namespace duet::gateway {

class PatientAccess {
 public:
  static StatusOr<std::shared_ptr<PatientAccess>> ForOrganization(
      ResourceStore& store, const std::string& organization_npi);

  StatusOr<bool> MaySeePatient(const std::string& patient_id);
  StatusOr<bool> MaySee(const fhir::Json& resource);
  // MaySee for a resource given as JSON text, remembered under `key`, which must name exactly
  // that text (type, id, version and the read's query), so that a repeated read is decided
  // without parsing. Text that is not JSON is visible (nothing of a patient's in it); its
  // `resourceType` and `id` are not checked against the key.
  StatusOr<bool> MaySeeText(const std::string& key, const std::string& json_text);

 private:
  PatientAccess(ResourceStore& store, PartnerSharing sharing)
      : store_(store), sharing_(std::move(sharing)) {}
  StatusOr<bool> Decide(const std::string& patient_id) const;

  ResourceStore& store_;
  const PartnerSharing sharing_;
  std::mutex mutex_;                     // guards decided_
  std::map<std::string, bool> decided_;  // patient id → shared
  // Every request of a partner reads seen_, so readers share the lock (an exclusive one made
  // the request threads queue on it).
  std::shared_mutex seen_mutex_;
  std::unordered_map<std::string, bool> seen_;  // MaySeeText key → visible (bounded)
};

class PatientAccessCache {
 public:
  explicit PatientAccessCache(ResourceStore& store) : store_(store) {}

  // The organization's access as of now: the cached one while nothing was written since it was
  // made, otherwise a new one.
  StatusOr<std::shared_ptr<PatientAccess>> For(const std::string& organization_npi);

 private:
  struct Entry {
    uint64_t generation = 0;
    std::shared_ptr<PatientAccess> access;
  };
  ResourceStore& store_;
  std::shared_mutex mutex_;  // guards entries_; shared for the look-up of every request
  std::map<std::string, Entry> entries_;
};

}  // namespace duet::gateway
