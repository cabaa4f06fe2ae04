#include "gateway/audit/read_noting_store.h"

#include "gateway/audit/audit_entities.h"
#include "gateway/audit/audit_scope.h"

namespace duet::gateway {
namespace {

void Note(const std::vector<StoredResource>& found) {
  AuditScope* scope = AuditScope::Current();
  if (scope == nullptr) return;
  for (const StoredResource& stored : found) {
    if (!stored.deleted) AddStoredAuditEntity(scope->draft(), stored);
  }
}

StatusOr<StoredResource> Noted(StatusOr<StoredResource> read) {
  if (read.ok()) Note({*read});
  return read;
}

}  // namespace

StatusOr<StoredResource> ReadNotingResourceStore::Read(const std::string& type,
                                                       const std::string& id) {
  return Noted(inner().Read(type, id));
}

StatusOr<StoredResource> ReadNotingResourceStore::ReadVersion(const std::string& type,
                                                              const std::string& id,
                                                              int64_t version_id) {
  return Noted(inner().ReadVersion(type, id, version_id));
}

StatusOr<SearchResult> ReadNotingResourceStore::Search(const fhir::SearchQuery& query) {
  StatusOr<SearchResult> found = inner().Search(query);
  if (found.ok()) {
    Note(found->matches);
    Note(found->included);
  }
  return found;
}

StatusOr<HistoryPage> ReadNotingResourceStore::History(const HistoryQuery& query) {
  StatusOr<HistoryPage> page = inner().History(query);
  if (page.ok()) Note(page->versions);
  return page;
}

}  // namespace duet::gateway
