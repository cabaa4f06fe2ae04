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

#include "gateway/store/resource_store.h"

namespace duet::gateway {

class AuditingResourceStore : public ResourceStore {
 public:
  explicit AuditingResourceStore(ResourceStore& inner) : inner_(inner) {}

  StatusOr<std::unique_ptr<WriteTransaction>> BeginWrite() override;
  StatusOr<StoredResource> Read(const std::string& type, const std::string& id) override {
    return inner_.Read(type, id);
  }
  StatusOr<StoredResource> ReadVersion(const std::string& type, const std::string& id,
                                       int64_t version_id) override {
    return inner_.ReadVersion(type, id, version_id);
  }
  StatusOr<SearchResult> Search(const fhir::SearchQuery& query) override {
    return inner_.Search(query);
  }
  StatusOr<HistoryPage> History(const HistoryQuery& query) override {
    return inner_.History(query);
  }
  Status CheckHealth() override { return inner_.CheckHealth(); }
  uint64_t WriteGeneration() const override { return inner_.WriteGeneration(); }

 private:
  ResourceStore& inner_;
};

}  // namespace duet::gateway
