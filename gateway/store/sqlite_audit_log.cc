#include "gateway/store/sqlite_audit_log.h"

#include <thread>

#include "fhir/json.h"
#include "gateway/audit/audit_event.h"
#include "gateway/store/sqlite_audit_rows.h"
#include "gateway/store/sqlite_connection.h"

namespace duet::gateway {

StatusOr<std::unique_ptr<SqliteAuditLog>> SqliteAuditLog::Open(const std::string& path,
                                                               ResourceStore* store) {
  SqliteConnection::Options options;
  options.query_only = true;
  DUET_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> reader,
                        SqliteConnection::Open(path, options));
  return std::unique_ptr<SqliteAuditLog>(new SqliteAuditLog(store, std::move(reader)));
}

SqliteAuditLog::SqliteAuditLog(ResourceStore* store, std::unique_ptr<SqliteConnection> reader)
    : store_(store), reader_(std::move(reader)) {}

SqliteAuditLog::~SqliteAuditLog() = default;

int64_t SqliteAuditLog::commits() const {
  std::lock_guard<std::mutex> lock(group_mutex_);
  return commits_;
}

Status SqliteAuditLog::Record(const AuditRecord& record) {
  if (store_ == nullptr) return FailedPreconditionError("this audit log was opened for queries");
  std::unique_lock<std::mutex> lock(group_mutex_);
  if (!open_group_) open_group_ = std::make_shared<Group>();
  std::shared_ptr<Group> mine = open_group_;
  mine->records.push_back(record);
  while (!mine->done) {
    if (writing_) {
      group_done_.wait(lock);
      continue;
    }
    // No group is being written, so `mine` is the open one: write it (with whatever others
    // joined it) and let the next group gather meanwhile. Yielding once first lets the requests
    // running on other threads join: without it a group held ~1.1 records on the read benchmark,
    // with it ~7, and audited reads went up by a third (docs/performance.md).
    writing_ = true;
    lock.unlock();
    std::this_thread::yield();
    lock.lock();
    std::shared_ptr<Group> group = std::move(open_group_);
    open_group_.reset();
    lock.unlock();
    Status status = WriteGroup(group->records);
    lock.lock();
    group->status = status;
    group->done = true;
    writing_ = false;
    if (status.ok()) ++commits_;
    group_done_.notify_all();
  }
  return mine->status;
}

Status SqliteAuditLog::WriteGroup(const std::vector<AuditRecord>& records) {
  DUET_ASSIGN_OR_RETURN(std::unique_ptr<WriteTransaction> tx, store_->BeginWrite());
  for (const AuditRecord& record : records) DUET_RETURN_IF_ERROR(tx->AppendAudit(record));
  return tx->Commit();
}

StatusOr<AuditPage> SqliteAuditLog::Query(const AuditQuery& query) {
  std::string where = " WHERE 1 = 1";
  std::vector<SqlValue> params;
  if (!query.patient.empty()) {
    where += " AND seq IN (SELECT seq FROM audit_patient WHERE patient_id = ?)";
    params.emplace_back(query.patient);
  }
  if (!query.client.empty()) {
    where += " AND client_id = ?";
    params.emplace_back(query.client);
  }
  if (query.since_ms) {
    where += " AND recorded_ms >= ?";
    params.emplace_back(*query.since_ms);
  }
  if (query.until_ms) {
    where += " AND recorded_ms < ?";
    params.emplace_back(*query.until_ms);
  }
  if (!query.interaction.empty()) {
    where += " AND interaction = ?";
    params.emplace_back(query.interaction);
  }
  if (query.outcome) {
    where += " AND outcome = ?";
    params.emplace_back(int64_t{*query.outcome});
  }
  std::lock_guard<std::mutex> lock(reader_mutex_);
  DUET_RETURN_IF_ERROR(reader_->Exec("BEGIN"));  // one snapshot for the page and its total
  auto found = [&]() -> StatusOr<AuditPage> {
    AuditPage page;
    {
      DUET_ASSIGN_OR_RETURN(SqliteRows rows,
                            reader_->Query({"SELECT COUNT(*) FROM audit_event" + where, params}));
      DUET_ASSIGN_OR_RETURN(bool has_row, rows.Next());
      page.total = has_row ? rows.Int64(0) : 0;
    }
    std::vector<SqlValue> page_params = params;
    std::string page_where = where;
    if (query.cursor > 0) {
      page_where += " AND seq < ?";
      page_params.emplace_back(query.cursor);
    }
    page_params.emplace_back(int64_t{query.count} + 1);
    DUET_ASSIGN_OR_RETURN(
        SqliteRows rows,
        reader_->Query({std::string("SELECT seq, ") + kAuditColumns + " FROM audit_event" +
                            page_where + " ORDER BY seq DESC LIMIT ?",
                        page_params}));
    int64_t last_seq = 0;
    while (true) {
      DUET_ASSIGN_OR_RETURN(bool has_row, rows.Next());
      if (!has_row) break;
      if (static_cast<int>(page.events.size()) == query.count) {
        page.next_cursor = last_seq;
        break;
      }
      last_seq = rows.Int64(0);
      // Columns after seq: kAuditColumns.
      page.events.push_back(fhir::WriteJson(BuildAuditEvent(AuditRecordFromRow(rows, 1))));
    }
    return page;
  }();
  reader_->Exec("COMMIT").IgnoreError();
  return found;
}

}  // namespace duet::gateway
