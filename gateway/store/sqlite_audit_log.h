// SqliteAuditLog: the AuditLog in the audit tables of the store's SQLite file
// (sqlite_audit_rows.h), not among the FHIR resources: audit records never appear in FHIR
// search, history or sync, and recording one does not count as a write of resources
// (ResourceStore::WriteGeneration stays, so read caches stay warm).
//
// Record() queues the record and returns; a writer thread of its own gathers records for up to
// kGatherWindow (or until kGatherTarget are queued, or someone flushes) and commits them in one
// transaction through the store's single writer (ResourceStore::BeginWrite and
// WriteTransaction::AppendAudit), so a request never waits for a commit (docs/performance.md,
// "Audit trail on reads"). What a crash of the process can lose is the queue of the last
// moments (a gathering window and a commit, normally under 10 ms); a stop empties the queue first.
// While the trail cannot be written, the writer keeps the records it holds and retries, and
// Record() refuses new ones (kUnavailable), so that no read is answered without its record
// being kept; it accepts again after the next successful commit. The queue is bounded: when the
// writer falls behind by kMaxQueued records, Record() waits for it.
//
// Query() first waits for the records queued before it, then reads with a query-only
// connection of its own.
//
// Holds a pointer to the store (which must outlive it; null for a log that only answers
// queries, as `duet audit` opens it). Thread-safe: any thread may call any method.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/audit/audit_log.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

class SqliteConnection;

class SqliteAuditLog : public AuditLog {
 public:
  static constexpr size_t kMaxQueued = 10000;
  static constexpr size_t kGatherTarget = 256;
  static constexpr std::chrono::milliseconds kGatherWindow{5};

  // `path` is the store's file; the store has created the audit tables when it opened it.
  // `retry_delay` is how long the writer waits after a failed commit before trying again.
  static StatusOr<std::unique_ptr<SqliteAuditLog>> Open(
      const std::string& path, ResourceStore* store,
      std::chrono::milliseconds retry_delay = std::chrono::milliseconds(250));
  // Commits what is queued (one last attempt if the trail is failing), then stops the writer.
  ~SqliteAuditLog() override;
  SqliteAuditLog(const SqliteAuditLog&) = delete;
  SqliteAuditLog& operator=(const SqliteAuditLog&) = delete;

  Status Record(const AuditRecord& record) override;
  StatusOr<AuditPage> Query(const AuditQuery& query) override;

  // Waits until every record queued before the call is committed; the commit's error if the
  // trail cannot be written.
  Status Flush();

  // OK while records are being committed; the last commit's error while the trail cannot be
  // written (for /readyz).
  Status WriteHealth() const;

  // How many write transactions the writer has committed (for tests of the grouping).
  int64_t commits() const;

 private:
  SqliteAuditLog(ResourceStore* store, std::unique_ptr<SqliteConnection> reader,
                 std::chrono::milliseconds retry_delay);
  void WriteQueued();
  Status WriteGroup(const std::vector<AuditRecord>& records);

  ResourceStore* store_;
  const std::chrono::milliseconds retry_delay_;
  std::mutex reader_mutex_;
  std::unique_ptr<SqliteConnection> reader_;

  mutable std::mutex queue_mutex_;
  std::condition_variable queued_;     // the writer waits here for records or the stop
  std::condition_variable committed_;  // Flush() and a full queue wait here
  std::vector<AuditRecord> queue_;
  int64_t queued_total_ = 0;     // records ever queued
  int64_t committed_total_ = 0;  // records ever committed
  int64_t commits_ = 0;
  Status failure_;                 // the last commit's error; OK once a commit succeeds
  bool writer_idle_ = false;       // waiting for a first record
  bool writer_gathering_ = false;  // waiting for kGatherTarget records
  int flush_waiters_ = 0;
  bool stopping_ = false;
  std::thread writer_;  // last: started when everything above is ready
};

}  // namespace duet::gateway
