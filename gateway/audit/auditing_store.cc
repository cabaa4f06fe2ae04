#include "gateway/audit/auditing_store.h"

#include "gateway/audit/audit_entities.h"
#include "gateway/audit/audit_scope.h"

namespace duet::gateway {
namespace {

class AuditingWriteTransaction : public WriteTransaction {
 public:
  explicit AuditingWriteTransaction(std::unique_ptr<WriteTransaction> inner)
      : inner_(std::move(inner)) {}

  StatusOr<StoredResource> Read(const std::string& type, const std::string& id) override {
    return inner_->Read(type, id);
  }
  StatusOr<StoredResource> ReadVersion(const std::string& type, const std::string& id,
                                       int64_t version_id) override {
    return inner_->ReadVersion(type, id, version_id);
  }
  StatusOr<SearchResult> Search(const fhir::SearchQuery& query) override {
    return inner_->Search(query);
  }
  StatusOr<StoredResource> Create(const std::string& type, const std::string& id,
                                  fhir::Json resource) override {
    return Note(inner_->Create(type, id, std::move(resource)));
  }
  StatusOr<StoredResource> Update(const std::string& type, const std::string& id,
                                  fhir::Json resource, std::optional<int64_t> if_match) override {
    return Note(inner_->Update(type, id, std::move(resource), if_match));
  }
  StatusOr<StoredResource> Delete(const std::string& type, const std::string& id,
                                  std::optional<int64_t> if_match) override {
    return Note(inner_->Delete(type, id, if_match));
  }
  Status AppendAudit(const AuditRecord& record) override { return inner_->AppendAudit(record); }
  StatusOr<int64_t> PruneAudit(int64_t before_ms, int64_t limit) override {
    return inner_->PruneAudit(before_ms, limit);
  }

  Status Commit() override {
    AuditScope* scope = AuditScope::Current();
    if (scope == nullptr || scope->recorded()) return inner_->Commit();
    AuditRecord& draft = scope->draft();
    if (!scope->record_in_transaction()) {
      DUET_RETURN_IF_ERROR(inner_->Commit());
      Merge(draft);
      return Status::Ok();
    }
    AuditRecord record = draft;
    Merge(record);
    if (record.resource_id.empty() && record.interaction == "create" && first_written_) {
      record.resource_id = first_written_->id;
    }
    if (record.http_status == 0) record.http_status = SuccessStatus(record);
    record.outcome = 0;
    DUET_RETURN_IF_ERROR(inner_->AppendAudit(record));
    DUET_RETURN_IF_ERROR(inner_->Commit());
    draft = std::move(record);
    scope->MarkRecorded();
    return Status::Ok();
  }

 private:
  StatusOr<StoredResource> Note(StatusOr<StoredResource> written) {
    if (!written.ok()) return written;
    if (!first_written_) first_written_ = *written;
    AddStoredAuditEntity(written_, *written);
    return written;
  }

  void Merge(AuditRecord& record) const {
    for (const std::string& resource : written_.resources) AddUnique(record.resources, resource);
    for (const std::string& patient : written_.patients) AddUnique(record.patients, patient);
  }

  // The status the FHIR API answers a successful write with.
  int SuccessStatus(const AuditRecord& record) const {
    if (record.interaction == "create") return 201;
    if (record.interaction == "delete") return 204;
    if (record.interaction == "update" && first_written_ && first_written_->version_id == 1) {
      return 201;
    }
    return 200;
  }

  std::unique_ptr<WriteTransaction> inner_;
  AuditRecord written_;  // only its resources and patients are used
  std::optional<StoredResource> first_written_;
};

}  // namespace

StatusOr<std::unique_ptr<WriteTransaction>> AuditingResourceStore::BeginWrite() {
  DUET_ASSIGN_OR_RETURN(std::unique_ptr<WriteTransaction> inner, inner().BeginWrite());
  return std::unique_ptr<WriteTransaction>(new AuditingWriteTransaction(std::move(inner)));
}

}  // namespace duet::gateway
