// AuditScope: the audit record of the request the current thread is handling, so that the write
// transaction that changes data can carry the record itself (AuditingResourceStore) without the
// FHIR handlers knowing about audit. AuditedFhirApi opens one around each request it passes on;
// handlers run synchronously on the calling thread, so everything the request writes sees it.
//
// Lives on the stack of the thread that made it (not copyable); Current() is that thread's.
#pragma once

#include "gateway/audit/audit_record.h"

namespace duet::gateway {

class AuditScope {
 public:
  // `draft` (owned by the caller, outliving the scope): who, what interaction, when. When
  // `record_in_transaction`, the first write transaction committed in the scope carries the
  // record (outcome success, with what it wrote); otherwise (a batch: one transaction per entry)
  // the transactions only add what they wrote to the draft.
  AuditScope(AuditRecord* draft, bool record_in_transaction);
  ~AuditScope();
  AuditScope(const AuditScope&) = delete;
  AuditScope& operator=(const AuditScope&) = delete;

  // The innermost scope of this thread, or null.
  static AuditScope* Current();

  AuditRecord& draft() { return *draft_; }
  bool record_in_transaction() const { return record_in_transaction_; }
  // True once a committed transaction carried the record.
  bool recorded() const { return recorded_; }
  void MarkRecorded() { recorded_ = true; }

 private:
  AuditRecord* draft_;
  bool record_in_transaction_;
  bool recorded_ = false;
  AuditScope* previous_;
};

}  // namespace duet::gateway
