// PartnerScope: the patient access of the partner whose request the current thread is handling,
// so that everything the FHIR API reads or changes on that request's behalf, however it gets
// there (searches and their _include, _elements and _summary, conditional creates, updates and
// deletes, batch and transaction entries), goes through the same rule (PartnerVisibleStore).
// FhirAuthorizer opens one around each request it passes on; the FHIR handlers run synchronously
// on the calling thread. No scope (the practice API, sync jobs, development mode): no filter.
//
// Lives on the stack of the thread that made it (not copyable); Current() is that thread's.
#pragma once

#include "gateway/auth/patient_access.h"

namespace duet::gateway {

class PartnerScope {
 public:
  // `access` (owned by the caller, outliving the scope).
  explicit PartnerScope(PatientAccess* access);
  ~PartnerScope();
  PartnerScope(const PartnerScope&) = delete;
  PartnerScope& operator=(const PartnerScope&) = delete;

  // The access of this thread's innermost scope, or null outside any.
  static PatientAccess* Current();

 private:
  PatientAccess* access_;
  PartnerScope* previous_;
};

}  // namespace duet::gateway
