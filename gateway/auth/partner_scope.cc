#include "gateway/auth/partner_scope.h"

namespace duet::gateway {
namespace {

thread_local PartnerScope* current_scope = nullptr;

}  // namespace

PartnerScope::PartnerScope(PatientAccess* access) : access_(access), previous_(current_scope) {
  current_scope = this;
}

PartnerScope::~PartnerScope() { current_scope = previous_; }

PatientAccess* PartnerScope::Current() {
  return current_scope == nullptr ? nullptr : current_scope->access_;
}

}  // namespace duet::gateway
