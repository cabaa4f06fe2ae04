#include "gateway/store/sqlite_audit_log.h"

#include <spdlog/spdlog.h>

#include <iterator>
#include <optional>

#include "fhir/json.h"
#include "gateway/audit/audit_event.h"
#include "gateway/store/sqlite_audit_rows.h"
#include "gateway/store/sqlite_connection.h"

namespace duet::gateway {
namespace {

// What the writer thread says about an outage of the trail: its start, a reminder at most once a
// minute while it lasts, and its end; not each retry (every 250 ms in production). Used by the
// writer thread alone.
class OutageReport {
 public:
  void Failed(size_t records, const Status& status, std::chrono::milliseconds retry_delay) {
    Clock::time_point now = Clock::now();
    ++attempts_;
    if (!since_) {
      since_ = now;
      last_said_ = now;
      spdlog::error(
          "audit: cannot write {} records (trying again every {} ms; requests that need an "
          "audit record are refused meanwhile): {}",
          records, retry_delay.count(), status.message());
    } else if (now - last_said_ >= kReminderEvery) {
      last_said_ = now;
      spdlog::error("audit: still cannot write {} records after {} s ({} attempts): {}", records,
                    Seconds(now - *since_), attempts_, status.message());
    }
  }
  void Committed(size_t records) {
    if (!since_) return;
    spdlog::warn("audit: writing again after {} s ({} failed attempts); {} records committed",
                 Seconds(Clock::now() - *since_), attempts_, records);
    since_.reset();
    attempts_ = 0;
  }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kReminderEvery{60};
  static int64_t Seconds(Clock::duration duration) {
    return std::chrono::duration_cast<std::chrono::seconds>(duration).count();
  }

  std::optional<Clock::time_point> since_;  // the first failure of the current outage
  Clock::time_point last_said_;
  int64_t attempts_ = 0;
};

}  // namespace

StatusOr<std::unique_ptr<SqliteAuditLog>> SqliteAuditLog::Open(
    const std::string& path, ResourceStore* store, std::chrono::milliseconds retry_delay) {
  SqliteConnection::Options options;
  options.query_only = true;
  DUET_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> reader,
                        SqliteConnection::Open(path, options));
  return std::unique_ptr<SqliteAuditLog>(new SqliteAuditLog(store, std::move(reader), retry_delay));
}

SqliteAuditLog::SqliteAuditLog(ResourceStore* store, std::unique_ptr<SqliteConnection> reader,
                               std::chrono::milliseconds retry_delay)
    : store_(store), retry_delay_(retry_delay), reader_(std::move(reader)) {
  if (store_ != nullptr) writer_ = std::thread([this] { WriteQueued(); });
}

SqliteAuditLog::~SqliteAuditLog() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stopping_ = true;
  }
  queued_.notify_one();
  if (writer_.joinable()) writer_.join();
}

Status SqliteAuditLog::WriteHealth() const {
  std::lock_guard<std::mutex> lock(queue_mutex_);
  return failure_;
}

int64_t SqliteAuditLog::commits() const {
  std::lock_guard<std::mutex> lock(queue_mutex_);
  return commits_;
}

Status SqliteAuditLog::Record(const AuditRecord& record) {
  if (store_ == nullptr) return FailedPreconditionError("this audit log was opened for queries");
  std::unique_lock<std::mutex> lock(queue_mutex_);
  committed_.wait(lock, [&] { return queue_.size() < kMaxQueued || !failure_.ok(); });
  if (!failure_.ok()) {
    return UnavailableError("the audit trail cannot be written: " + failure_.message());
  }
  queue_.push_back(record);
  ++queued_total_;
  if ((writer_idle_ && queue_.size() == 1) ||
      (writer_gathering_ && queue_.size() == kGatherTarget)) {
    queued_.notify_one();
  }
  return Status::Ok();
}

Status SqliteAuditLog::Flush() {
  if (store_ == nullptr) return Status::Ok();
  std::unique_lock<std::mutex> lock(queue_mutex_);
  const int64_t target = queued_total_;
  ++flush_waiters_;
  queued_.notify_one();  // ends the writer's gathering window
  committed_.wait(lock, [&] { return committed_total_ >= target || !failure_.ok(); });
  --flush_waiters_;
  return committed_total_ >= target ? Status::Ok() : failure_;
}

// The writer thread: waits for records and gathers them for a moment, commits them in one
// transaction, and again. A batch
// that fails stays with the writer and is tried again (with what was queued meanwhile) after
// retry_delay_; when stopping, it gets one last attempt.
void SqliteAuditLog::WriteQueued() {
  std::vector<AuditRecord> batch;
  OutageReport outage;
  std::unique_lock<std::mutex> lock(queue_mutex_);
  while (true) {
    if (batch.empty()) {
      if (queue_.empty()) {
        if (stopping_) return;
        writer_idle_ = true;
        queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        writer_idle_ = false;
        continue;
      }
      // Fewer, larger transactions: nobody waits for this commit, so gather for a moment.
      writer_gathering_ = true;
      queued_.wait_for(lock, kGatherWindow, [&] {
        return stopping_ || flush_waiters_ > 0 || queue_.size() >= kGatherTarget;
      });
      writer_gathering_ = false;
    }
    batch.insert(batch.end(), std::make_move_iterator(queue_.begin()),
                 std::make_move_iterator(queue_.end()));
    queue_.clear();
    const bool last_attempt = stopping_;
    lock.unlock();
    Status status = WriteGroup(batch);
    lock.lock();
    if (status.ok()) {
      outage.Committed(batch.size());
      committed_total_ += static_cast<int64_t>(batch.size());
      ++commits_;
      failure_ = Status::Ok();
      batch.clear();
      committed_.notify_all();
      continue;
    }
    failure_ = status;
    committed_.notify_all();
    if (last_attempt) {
      spdlog::error("audit: {} records could not be written before the stop: {}", batch.size(),
                    status.message());
      return;
    }
    outage.Failed(batch.size(), status, retry_delay_);
    queued_.wait_for(lock, retry_delay_, [&] { return stopping_; });
  }
}

Status SqliteAuditLog::WriteGroup(const std::vector<AuditRecord>& records) {
  DUET_ASSIGN_OR_RETURN(std::unique_ptr<WriteTransaction> tx, store_->BeginWrite());
  for (const AuditRecord& record : records) DUET_RETURN_IF_ERROR(tx->AppendAudit(record));
  return tx->Commit();
}

StatusOr<AuditPage> SqliteAuditLog::Query(const AuditQuery& query) {
  // What was recorded before the query is in its answer; while the trail cannot be written, the
  // query still answers with what is committed.
  Flush().IgnoreError();
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
