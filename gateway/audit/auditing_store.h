// AuditingResourceStore: a ResourceStore that passes everything to another one and makes the
// write transactions of an audited request (AuditScope) carry that request's audit record: at
// Commit, the record (outcome success, naming what the transaction wrote and the patients it
// touched) is appended to the same transaction (WriteTransaction::AppendAudit), so the data and
// the record of their change are committed together or not at all. Transactions outside any
// scope (the practice API's and sync jobs' in-process calls) pass through unchanged.
//
// Holds a reference to the inner store, which must outlive it. Thread-safe as the inner store.
#pragma once

#include <memory>

#include "gateway/store/forwarding_resource_store.h"

namespace duet::gateway {

class AuditingResourceStore : public ForwardingResourceStore {
 public:
  explicit AuditingResourceStore(ResourceStore& inner) : ForwardingResourceStore(inner) {}

  StatusOr<std::unique_ptr<WriteTransaction>> BeginWrite() override;
};

}  // namespace duet::gateway
