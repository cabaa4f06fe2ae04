#include "gateway/audit/audit_scope.h"

namespace duet::gateway {
namespace {

thread_local AuditScope* current_scope = nullptr;

}  // namespace

AuditScope::AuditScope(AuditRecord* draft, bool record_in_transaction)
    : draft_(draft), record_in_transaction_(record_in_transaction), previous_(current_scope) {
  current_scope = this;
}

AuditScope::~AuditScope() { current_scope = previous_; }

AuditScope* AuditScope::Current() { return current_scope; }

}  // namespace duet::gateway
