// ForwardingResourceStore: a ResourceStore that passes every call to another one; the base of
// decorators that change only some calls (AuditingResourceStore, test stores that fail on cue).
//
// Holds a reference to the inner store, which must outlive it. Thread-safe as the inner store.
#pragma once

#include <memory>
#include <string>

#include "gateway/store/resource_store.h"

namespace duet::gateway {

class ForwardingResourceStore : public ResourceStore {
 public:
  explicit ForwardingResourceStore(ResourceStore& inner) : inner_(inner) {}

  StatusOr<std::unique_ptr<WriteTransaction>> BeginWrite() override { return inner_.BeginWrite(); }
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

 protected:
  ResourceStore& inner() { return inner_; }

 private:
  ResourceStore& inner_;
};

}  // namespace duet::gateway
