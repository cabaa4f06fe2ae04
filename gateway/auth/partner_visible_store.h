// PartnerVisibleStore: a ResourceStore that, while a PartnerScope is open on the calling thread,
// shows and lets change only what that partner may see (PatientAccess): a resource of a patient
// not shared with the partner reads as missing, is left out of searches (matches and includes),
// histories and conditional matches, cannot be updated or deleted, and no resource referring to
// such a patient can be written (kNotFound, as if it did not exist). AuditEvents (in case any were
// stored as resources) are never visible to partners. A search's total then counts only visible
// matches: exactly, by walking every page, when the query asks for the count alone
// (_summary=count); on a first page that holds every match; and not at all (no total) when more
// pages follow, since the pages not read yet are not filtered. Outside a scope every call passes
// through unchanged.
//
// The FHIR handler reads and writes through it, so filtering happens before the handler trims
// (_elements), counts or answers, whatever route the request took. Holds a reference to the
// inner store, which must outlive it. Thread-safe as the inner store.
#pragma once

#include <memory>
#include <string>

#include "gateway/store/forwarding_resource_store.h"

namespace duet::gateway {

class PartnerVisibleStore : public ForwardingResourceStore {
 public:
  explicit PartnerVisibleStore(ResourceStore& inner) : ForwardingResourceStore(inner) {}

  StatusOr<std::unique_ptr<WriteTransaction>> BeginWrite() override;
  StatusOr<StoredResource> Read(const std::string& type, const std::string& id) override;
  StatusOr<StoredResource> ReadVersion(const std::string& type, const std::string& id,
                                       int64_t version_id) override;
  StatusOr<SearchResult> Search(const fhir::SearchQuery& query) override;
  StatusOr<HistoryPage> History(const HistoryQuery& query) override;
};

}  // namespace duet::gateway
