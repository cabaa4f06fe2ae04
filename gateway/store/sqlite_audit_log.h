// SqliteAuditLog: the AuditLog in the audit tables of the store's SQLite file
// (sqlite_audit_rows.h), not among the FHIR resources: audit records never appear in FHIR
// search, history or sync, and recording one does not count as a write of resources
// (ResourceStore::WriteGeneration stays, so read caches stay warm).
//
// Record() goes through the store's single writer (ResourceStore::BeginWrite and
// WriteTransaction::AppendAudit) with group commit: while one caller's transaction runs, the
// records of concurrent callers gather, and the next one of them to wake commits them all in one
// transaction; each caller returns once its own record is committed. Query() uses a query-only
// connection of its own.
//
// Holds a pointer to the store (which must outlive it; null for a log that only answers
// queries, as `duet audit` opens it). Thread-safe: any thread may call any method.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/audit/audit_log.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

class SqliteConnection;

class SqliteAuditLog : public AuditLog {
 public:
  // `path` is the store's file; the store has created the audit tables when it opened it.
  static StatusOr<std::unique_ptr<SqliteAuditLog>> Open(const std::string& path,
                                                        ResourceStore* store);
  ~SqliteAuditLog() override;
  SqliteAuditLog(const SqliteAuditLog&) = delete;
  SqliteAuditLog& operator=(const SqliteAuditLog&) = delete;

  Status Record(const AuditRecord& record) override;
  StatusOr<AuditPage> Query(const AuditQuery& query) override;

  // How many write transactions Record() has committed (for tests of the grouping).
  int64_t commits() const;

 private:
  struct Group {
    std::vector<AuditRecord> records;
    bool done = false;
    Status status;
  };

  SqliteAuditLog(ResourceStore* store, std::unique_ptr<SqliteConnection> reader);
  Status WriteGroup(const std::vector<AuditRecord>& records);

  ResourceStore* store_;
  std::mutex reader_mutex_;
  std::unique_ptr<SqliteConnection> reader_;

  mutable std::mutex group_mutex_;
  std::condition_variable group_done_;
  std::shared_ptr<Group> open_group_;  // gathering records while a group is being written
  bool writing_ = false;
  int64_t commits_ = 0;
};

}  // namespace duet::gateway
