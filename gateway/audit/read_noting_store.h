// ReadNotingResourceStore: a ResourceStore that passes everything to another one and notes each
// resource it reads, finds or includes (with the patients it refers to) in the draft of the
// current thread's AuditScope. For handlers whose answers are not FHIR (the practice API's
// Practice Record Format), where what was disclosed cannot be read off the answer: everything
// the request looked at is named. Outside any scope it only passes calls on; deleted versions
// are not noted.
//
// Holds a reference to the inner store, which must outlive it. Thread-safe as the inner store
// (each thread notes into its own scope).
#pragma once

#include "gateway/store/forwarding_resource_store.h"

namespace duet::gateway {

class ReadNotingResourceStore : public ForwardingResourceStore {
 public:
  explicit ReadNotingResourceStore(ResourceStore& inner) : ForwardingResourceStore(inner) {}

  StatusOr<StoredResource> Read(const std::string& type, const std::string& id) override;
  StatusOr<StoredResource> ReadVersion(const std::string& type, const std::string& id,
                                       int64_t version_id) override;
  StatusOr<SearchResult> Search(const fhir::SearchQuery& query) override;
  StatusOr<HistoryPage> History(const HistoryQuery& query) override;
};

}  // namespace duet::gateway
