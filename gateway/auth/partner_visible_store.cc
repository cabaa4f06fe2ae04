#include "gateway/auth/partner_visible_store.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gateway/auth/partner_scope.h"
#include "gateway/workflow/workflow_support.h"

namespace duet::gateway {
namespace {

StatusOr<bool> Visible(PatientAccess& access, const StoredResource& resource);

// A tombstone is as visible as the version it ended (its existence is the partner's business
// only if that version was).
template <typename Source>
StatusOr<bool> Visible(Source& source, PatientAccess& access, const StoredResource& resource) {
  if (!resource.deleted || resource.version_id <= 1) return Visible(access, resource);
  auto ended = source.ReadVersion(resource.type, resource.id, resource.version_id - 1);
  if (!ended.ok()) return Visible(access, resource);
  return Visible(access, *ended);
}

StatusOr<bool> Visible(PatientAccess& access, const StoredResource& resource) {
  if (resource.type == "AuditEvent") return false;
  if (resource.deleted || resource.json.empty()) return true;
  return access.MaySeeText(
      resource.type + "/" + resource.id + "/_history/" + std::to_string(resource.version_id),
      resource.json);
}

Status Missing(const std::string& type, const std::string& id) {
  return NotFoundError(type + "/" + id + " does not exist");
}

template <typename Source>
StatusOr<StoredResource> OnlyVisible(Source& source, PatientAccess* access,
                                     StatusOr<StoredResource> found) {
  if (access == nullptr || !found.ok()) return found;
  DUET_ASSIGN_OR_RETURN(bool visible, Visible(source, *access, *found));
  if (visible) return found;
  return Missing(found->type, found->id);
}

// Drops what the partner may not see; true when something was dropped.
template <typename Source>
StatusOr<bool> KeepVisible(Source& source, PatientAccess& access,
                           std::vector<StoredResource>& resources) {
  std::vector<StoredResource> kept;
  kept.reserve(resources.size());
  for (StoredResource& resource : resources) {
    DUET_ASSIGN_OR_RETURN(bool visible, Visible(source, access, resource));
    if (visible) kept.push_back(std::move(resource));
  }
  bool dropped = kept.size() != resources.size();
  resources = std::move(kept);
  return dropped;
}

// _summary=count: every page walked, the visible matches counted.
template <typename Source>
StatusOr<SearchResult> CountVisible(Source& source, PatientAccess& access,
                                    const fhir::SearchQuery& query) {
  fhir::SearchQuery page = query;
  page.summary_count = false;
  page.count = 1000;
  page.cursor.clear();
  page.elements.clear();
  page.includes.clear();
  page.revincludes.clear();
  int64_t visible = 0;
  while (true) {
    DUET_ASSIGN_OR_RETURN(SearchResult found, source.Search(page));
    for (const StoredResource& match : found.matches) {
      DUET_ASSIGN_OR_RETURN(bool shown, Visible(source, access, match));
      if (shown) ++visible;
    }
    if (found.next_cursor.empty()) break;
    page.cursor = found.next_cursor;
  }
  SearchResult result;
  result.total = visible;
  return result;
}

template <typename Source>
StatusOr<SearchResult> SearchVisible(Source& source, PatientAccess* access,
                                     const fhir::SearchQuery& query) {
  if (access == nullptr) return source.Search(query);
  if (query.summary_count || query.count == 0) return CountVisible(source, *access, query);
  DUET_ASSIGN_OR_RETURN(SearchResult result, source.Search(query));
  DUET_ASSIGN_OR_RETURN(bool dropped, KeepVisible(source, *access, result.matches));
  DUET_RETURN_IF_ERROR(KeepVisible(source, *access, result.included).status());
  if (!result.next_cursor.empty() || (dropped && !query.cursor.empty())) {
    result.total.reset();  // pages not read yet would have to be filtered to know
  } else if (query.cursor.empty()) {
    result.total = static_cast<int64_t>(result.matches.size());
  }
  return result;
}

// A write transaction that reads like the store around it and refuses to change what the
// partner may not see.
class PartnerVisibleTransaction : public WriteTransaction {
 public:
  PartnerVisibleTransaction(std::unique_ptr<WriteTransaction> inner, PatientAccess* access)
      : inner_(std::move(inner)), access_(access) {}

  StatusOr<StoredResource> Read(const std::string& type, const std::string& id) override {
    return OnlyVisible(*inner_, access_, inner_->Read(type, id));
  }
  StatusOr<StoredResource> ReadVersion(const std::string& type, const std::string& id,
                                       int64_t version_id) override {
    return OnlyVisible(*inner_, access_, inner_->ReadVersion(type, id, version_id));
  }
  StatusOr<SearchResult> Search(const fhir::SearchQuery& query) override {
    return SearchVisible(*inner_, access_, query);
  }
  StatusOr<StoredResource> Create(const std::string& type, const std::string& id,
                                  fhir::Json resource) override {
    DUET_RETURN_IF_ERROR(CheckPatientsVisible(resource));
    return Written(type, inner_->Create(type, id, std::move(resource)));
  }
  StatusOr<StoredResource> Update(const std::string& type, const std::string& id,
                                  fhir::Json resource, std::optional<int64_t> if_match) override {
    DUET_RETURN_IF_ERROR(CheckChangeable(type, id));
    DUET_RETURN_IF_ERROR(CheckPatientsVisible(resource));
    return Written(type, inner_->Update(type, id, std::move(resource), if_match));
  }
  StatusOr<StoredResource> Delete(const std::string& type, const std::string& id,
                                  std::optional<int64_t> if_match) override {
    DUET_RETURN_IF_ERROR(CheckChangeable(type, id));
    return inner_->Delete(type, id, if_match);
  }
  Status AppendAudit(const AuditRecord& record) override { return inner_->AppendAudit(record); }
  StatusOr<int64_t> PruneAudit(int64_t before_ms, int64_t limit) override {
    return inner_->PruneAudit(before_ms, limit);
  }
  Status Commit() override { return inner_->Commit(); }

 private:
  // The current version must be visible (a resource that does not exist yet may be created).
  Status CheckChangeable(const std::string& type, const std::string& id) {
    if (access_ == nullptr) return Status::Ok();
    auto current = inner_->Read(type, id);
    if (!current.ok())
      return current.status().code() == StatusCode::kNotFound ? Status::Ok() : current.status();
    DUET_ASSIGN_OR_RETURN(bool visible, Visible(*inner_, *access_, *current));
    return visible ? Status::Ok() : Missing(type, id);
  }

  // A written resource may name only patients the partner may see: a literal reference to a
  // stored patient not shared with it refuses the write as if that patient did not exist. The
  // references are the ones stored (conditional and urn:uuid references already resolved by the
  // transaction; a conditional one cannot match a hidden patient, since searches here skip it).
  // A patient this transaction itself wrote is the partner's to name: created here, or updated
  // here after CheckChangeable found it visible.
  Status CheckPatientsVisible(const fhir::Json& resource) {
    if (access_ == nullptr) return Status::Ok();
    std::vector<LiteralReference> references;
    CollectLiteralReferences(resource, &references);
    for (const LiteralReference& reference : references) {
      if (reference.type != "Patient" || patients_written_.count(reference.id) != 0) continue;
      auto patient = inner_->Read("Patient", reference.id);
      if (!patient.ok()) {
        if (patient.status().code() == StatusCode::kNotFound) continue;  // not ours to hide
        return patient.status();
      }
      if (patient->deleted) continue;
      DUET_ASSIGN_OR_RETURN(bool visible, access_->MaySeePatient(reference.id));
      if (!visible) return Missing("Patient", reference.id);
    }
    return Status::Ok();
  }

  StatusOr<StoredResource> Written(const std::string& type, StatusOr<StoredResource> stored) {
    if (stored.ok() && type == "Patient") patients_written_.insert(stored->id);
    return stored;
  }

  std::unique_ptr<WriteTransaction> inner_;
  PatientAccess* access_;
  std::set<std::string> patients_written_;  // by this transaction
};

}  // namespace

StatusOr<std::unique_ptr<WriteTransaction>> PartnerVisibleStore::BeginWrite() {
  DUET_ASSIGN_OR_RETURN(std::unique_ptr<WriteTransaction> inner, inner().BeginWrite());
  PatientAccess* access = PartnerScope::Current();
  if (access == nullptr) return inner;
  return std::unique_ptr<WriteTransaction>(new PartnerVisibleTransaction(std::move(inner), access));
}

StatusOr<StoredResource> PartnerVisibleStore::Read(const std::string& type, const std::string& id) {
  return OnlyVisible(inner(), PartnerScope::Current(), inner().Read(type, id));
}

StatusOr<StoredResource> PartnerVisibleStore::ReadVersion(const std::string& type,
                                                          const std::string& id,
                                                          int64_t version_id) {
  return OnlyVisible(inner(), PartnerScope::Current(), inner().ReadVersion(type, id, version_id));
}

StatusOr<SearchResult> PartnerVisibleStore::Search(const fhir::SearchQuery& query) {
  return SearchVisible(inner(), PartnerScope::Current(), query);
}

StatusOr<HistoryPage> PartnerVisibleStore::History(const HistoryQuery& query) {
  PatientAccess* access = PartnerScope::Current();
  DUET_ASSIGN_OR_RETURN(HistoryPage page, inner().History(query));
  if (access == nullptr) return page;
  DUET_ASSIGN_OR_RETURN(bool dropped, KeepVisible(inner(), *access, page.versions));
  if (!query.id.empty() && page.versions.empty() && dropped) return Missing(query.type, query.id);
  if (!page.next_cursor.empty() || (dropped && !query.cursor.empty())) {
    page.total = -1;
  } else if (query.cursor.empty()) {
    page.total = static_cast<int64_t>(page.versions.size());
  }
  return page;
}

}  // namespace duet::gateway
