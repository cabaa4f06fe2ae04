#include "gateway/store/sqlite_sync_state_store.h"

#include "gateway/store/sqlite_connection.h"

namespace duet::gateway {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS sync_jobs (
  job TEXT PRIMARY KEY,
  watermark TEXT NOT NULL DEFAULT '',
  next_run_at INTEGER NOT NULL DEFAULT 0,
  run_started_at INTEGER,
  run_finished_at INTEGER,
  run_outcome TEXT,
  run_message TEXT,
  run_sent INTEGER,
  run_received INTEGER,
  run_failed INTEGER,
  run_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sync_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job TEXT NOT NULL,
  item_key TEXT NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'dead')),
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS sync_outbox_open
  ON sync_outbox (job, item_key) WHERE state != 'done';
CREATE INDEX IF NOT EXISTS sync_outbox_due ON sync_outbox (job, state, next_attempt_at);
CREATE TABLE IF NOT EXISTS sync_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  message TEXT NOT NULL,
  sent INTEGER NOT NULL,
  received INTEGER NOT NULL,
  failed INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sync_runs_started ON sync_runs (started_at);
CREATE TABLE IF NOT EXISTS sync_markers (
  job TEXT NOT NULL,
  marker_key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (job, marker_key)
);
CREATE TABLE IF NOT EXISTS sync_endpoint_checks (
  endpoint TEXT PRIMARY KEY,
  checked_at INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  message TEXT NOT NULL,
  certificate_subject TEXT NOT NULL,
  certificate_expires_at INTEGER NOT NULL
);
)sql";
// Every table is created when missing, so a store made by an older version gains the newer
// tables (sync_runs, sync_endpoint_checks) the first time this version opens it; columns added
// since are added by AddMissingColumns.

constexpr char kItemColumns[] =
    "id, job, item_key, payload, attempts, next_attempt_at, last_error, state, created_at";

StatusOr<std::vector<OutboxItem>> ReadItems(SqliteConnection& db, const SqlFragment& query) {
  DUET_ASSIGN_OR_RETURN(SqliteRows rows, db.Query(query));
  return CollectRows<OutboxItem>(rows, [](const SqliteRows& row) {
    OutboxItem item;
    item.id = row.Int64(0);
    item.job = row.Text(1);
    item.key = row.Text(2);
    item.payload = row.Text(3);
    item.attempts = static_cast<int>(row.Int64(4));
    item.next_attempt_at = row.Int64(5);
    item.last_error = row.Text(6);
    item.state = row.Text(7);
    item.created_at = row.Int64(8);
    return item;
  });
}

// sync_jobs.run_count came after the first release: a store without it gains it, counted from
// the runs its history holds, in one transaction.
Status AddMissingColumns(SqliteConnection& db) {
  {
    DUET_ASSIGN_OR_RETURN(SqliteRows columns,
                          db.Query({"SELECT 1 FROM pragma_table_info('sync_jobs') "
                                    "WHERE name = 'run_count'",
                                    {}}));
    DUET_ASSIGN_OR_RETURN(bool present, columns.Next());
    if (present) return Status::Ok();
  }
  DUET_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status added = db.Exec(
      "ALTER TABLE sync_jobs ADD COLUMN run_count INTEGER NOT NULL DEFAULT 0;"
      "UPDATE sync_jobs SET run_count = "
      "(SELECT COUNT(*) FROM sync_runs WHERE sync_runs.job = sync_jobs.job);");
  if (added.ok()) added = db.Exec("COMMIT");
  if (!added.ok()) db.Exec("ROLLBACK").IgnoreError();
  return added;
}

// Versions before SetDone deleted finished items kept them as 'done': they go, once. Opening a
// store that has none writes nothing (`duet sync status` only reads).
Status DropDoneItems(SqliteConnection& db) {
  {
    DUET_ASSIGN_OR_RETURN(SqliteRows done,
                          db.Query({"SELECT 1 FROM sync_outbox WHERE state = 'done' LIMIT 1", {}}));
    DUET_ASSIGN_OR_RETURN(bool any, done.Next());
    if (!any) return Status::Ok();
  }
  return db.Exec("DELETE FROM sync_outbox WHERE state = 'done'");
}

}  // namespace

StatusOr<std::unique_ptr<SqliteSyncStateStore>> SqliteSyncStateStore::Open(
    const std::string& path) {
  DUET_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> db,
                        SqliteConnection::Open(path, SqliteConnection::Options{}));
  DUET_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"));
  DUET_RETURN_IF_ERROR(db->Exec(kSchema));
  DUET_RETURN_IF_ERROR(AddMissingColumns(*db));
  DUET_RETURN_IF_ERROR(DropDoneItems(*db));
  return std::unique_ptr<SqliteSyncStateStore>(new SqliteSyncStateStore(std::move(db)));
}

SqliteSyncStateStore::SqliteSyncStateStore(std::unique_ptr<SqliteConnection> db)
    : db_(std::move(db)) {}

SqliteSyncStateStore::~SqliteSyncStateStore() = default;

Status SqliteSyncStateStore::EnsureJobRow(const std::string& job) {
  return db_->Run({"INSERT OR IGNORE INTO sync_jobs (job) VALUES (?)", {job}});
}

StatusOr<JobState> SqliteSyncStateStore::LoadJob(const std::string& job) {
  std::lock_guard<std::mutex> lock(mutex_);
  DUET_ASSIGN_OR_RETURN(
      SqliteRows rows,
      db_->Query({"SELECT watermark, next_run_at, run_started_at, run_finished_at, run_outcome, "
                  "run_message, run_sent, run_received, run_failed, run_count FROM sync_jobs "
                  "WHERE job = ?",
                  {job}}));
  JobState state;
  state.job = job;
  DUET_ASSIGN_OR_RETURN(bool found, rows.Next());
  if (!found) return state;
  state.watermark = rows.Text(0);
  state.next_run_at = rows.Int64(1);
  state.run_count = rows.Int64(9);
  if (!rows.IsNull(2)) {
    JobRun run;
    run.job = job;
    run.started_at = rows.Int64(2);
    run.finished_at = rows.Int64(3);
    run.outcome = rows.Text(4);
    run.message = rows.Text(5);
    run.sent = rows.Int64(6);
    run.received = rows.Int64(7);
    run.failed = rows.Int64(8);
    state.last_run = std::move(run);
  }
  return state;
}

Status SqliteSyncStateStore::SaveWatermark(const std::string& job, const std::string& watermark) {
  std::lock_guard<std::mutex> lock(mutex_);
  DUET_RETURN_IF_ERROR(EnsureJobRow(job));
  return db_->Run({"UPDATE sync_jobs SET watermark = ? WHERE job = ?", {watermark, job}});
}

Status SqliteSyncStateStore::RecordRun(const JobRun& run) {
  std::lock_guard<std::mutex> lock(mutex_);
  // The history row, the history's pruning and the job's last run together, or none of them.
  return InTransaction([&]() -> Status {
    DUET_RETURN_IF_ERROR(EnsureJobRow(run.job));
    DUET_RETURN_IF_ERROR(db_->Run(
        {"INSERT INTO sync_runs (job, started_at, finished_at, outcome, message, sent, received, "
         "failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
         {run.job, run.started_at, run.finished_at, run.outcome, run.message, run.sent,
          run.received, run.failed}}));
    DUET_RETURN_IF_ERROR(db_->Run({"DELETE FROM sync_runs WHERE job = ? AND started_at < ?",
                                   {run.job, run.started_at - kRunHistoryDays * 86400}}));
    return db_->Run(
        {"UPDATE sync_jobs SET run_started_at = ?, run_finished_at = ?, run_outcome = ?, "
         "run_message = ?, run_sent = ?, run_received = ?, run_failed = ?, "
         "run_count = run_count + 1 WHERE job = ?",
         {run.started_at, run.finished_at, run.outcome, run.message, run.sent, run.received,
          run.failed, run.job}});
  });
}

StatusOr<std::vector<SyncDayCount>> SqliteSyncStateStore::RunHistory(int64_t since) {
  std::lock_guard<std::mutex> lock(mutex_);
  DUET_ASSIGN_OR_RETURN(
      SqliteRows rows,
      db_->Query({"SELECT date(started_at, 'unixepoch') AS day, job, COUNT(*), "
                  "SUM(outcome != 'ok'), SUM(sent), SUM(received), SUM(failed) FROM sync_runs "
                  "WHERE started_at >= ? GROUP BY day, job ORDER BY day, job",
                  {since}}));
  return CollectRows<SyncDayCount>(rows, [](const SqliteRows& row) {
    SyncDayCount count;
    count.day = row.Text(0);
    count.job = row.Text(1);
    count.runs = row.Int64(2);
    count.failed_runs = row.Int64(3);
    count.sent = row.Int64(4);
    count.received = row.Int64(5);
    count.failed = row.Int64(6);
    return count;
  });
}

Status SqliteSyncStateStore::SetNextRun(const std::string& job, int64_t next_run_at) {
  std::lock_guard<std::mutex> lock(mutex_);
  DUET_RETURN_IF_ERROR(EnsureJobRow(job));
  return db_->Run({"UPDATE sync_jobs SET next_run_at = ? WHERE job = ?", {next_run_at, job}});
}

template <typename WriteFn>
Status SqliteSyncStateStore::InTransaction(WriteFn&& write) {
  DUET_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  Status status = write();
  if (status.ok()) status = db_->Exec("COMMIT");
  if (!status.ok()) db_->Exec("ROLLBACK").IgnoreError();
  return status;
}

Status SqliteSyncStateStore::UpsertItem(const std::string& job, const std::string& key,
                                        const std::string& payload, int64_t now) {
  return db_->Run(
      {"INSERT INTO sync_outbox (job, item_key, payload, next_attempt_at, state, created_at) "
       "VALUES (?, ?, ?, ?, 'pending', ?) "
       "ON CONFLICT (job, item_key) WHERE state != 'done' DO UPDATE SET "
       "state = CASE WHEN sync_outbox.payload = excluded.payload THEN sync_outbox.state "
       "ELSE 'pending' END, "
       "next_attempt_at = CASE WHEN sync_outbox.payload = excluded.payload "
       "THEN sync_outbox.next_attempt_at ELSE excluded.next_attempt_at END, "
       "payload = excluded.payload",
       {job, key, payload, now, now}});
}

StatusOr<int64_t> SqliteSyncStateStore::Enqueue(const std::string& job, const std::string& key,
                                                const std::string& payload, int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  DUET_RETURN_IF_ERROR(UpsertItem(job, key, payload, now));
  DUET_ASSIGN_OR_RETURN(
      SqliteRows rows,
      db_->Query({"SELECT id FROM sync_outbox WHERE job = ? AND item_key = ? AND state != 'done'",
                  {job, key}}));
  DUET_ASSIGN_OR_RETURN(bool found, rows.Next());
  if (!found) return InternalError("the outbox item for " + key + " vanished");
  return rows.Int64(0);
}

Status SqliteSyncStateStore::EnqueueAll(const std::string& job, const std::vector<OutboxWork>& work,
                                        int64_t now) {
  if (work.empty()) return Status::Ok();
  std::lock_guard<std::mutex> lock(mutex_);
  return InTransaction([&]() -> Status {
    for (const OutboxWork& item : work) {
      DUET_RETURN_IF_ERROR(UpsertItem(job, item.key, item.payload, now));
    }
    return Status::Ok();
  });
}

StatusOr<std::vector<OutboxItem>> SqliteSyncStateStore::DueItems(const std::string& job,
                                                                 int64_t now, int limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  return ReadItems(*db_, {std::string("SELECT ") + kItemColumns +
                              " FROM sync_outbox WHERE job = ? AND state = 'pending' AND "
                              "next_attempt_at <= ? ORDER BY id LIMIT ?",
                          {job, now, static_cast<int64_t>(limit)}});
}

Status SqliteSyncStateStore::SetDone(int64_t id) {
  // A finished item has nothing left to tell (the audit trail records what was disclosed), so it
  // leaves the outbox rather than staying there as 'done' for good.
  return db_->Run({"DELETE FROM sync_outbox WHERE id = ?", {id}});
}

Status SqliteSyncStateStore::MarkDone(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  return SetDone(id);
}

Status SqliteSyncStateStore::MarkDoneWithMarker(int64_t id, const std::string& job,
                                                const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> lock(mutex_);
  return InTransaction([&]() -> Status {
    DUET_RETURN_IF_ERROR(UpsertMarker(job, key, value));
    return SetDone(id);
  });
}

Status SqliteSyncStateStore::MarkFailed(int64_t id, const std::string& error,
                                        int64_t next_attempt_at, bool dead) {
  std::lock_guard<std::mutex> lock(mutex_);
  return db_->Run(
      {"UPDATE sync_outbox SET attempts = attempts + 1, last_error = ?, "
       "next_attempt_at = ?, state = ? WHERE id = ?",
       {error, next_attempt_at, std::string(dead ? "dead" : "pending"), id}});
}

StatusOr<std::vector<OutboxItem>> SqliteSyncStateStore::Items(const std::string& job,
                                                              const std::string& state) {
  std::lock_guard<std::mutex> lock(mutex_);
  return ReadItems(*db_, {std::string("SELECT ") + kItemColumns +
                              " FROM sync_outbox WHERE (? = '' OR job = ?) AND state = ? "
                              "ORDER BY id",
                          {job, job, state}});
}

StatusOr<int64_t> SqliteSyncStateStore::CountItems(const std::string& job,
                                                   const std::string& state) {
  std::lock_guard<std::mutex> lock(mutex_);
  DUET_ASSIGN_OR_RETURN(SqliteRows rows,
                        db_->Query({"SELECT COUNT(*) FROM sync_outbox WHERE (? = '' OR job = ?) "
                                    "AND state = ?",
                                    {job, job, state}}));
  DUET_ASSIGN_OR_RETURN(bool has_row, rows.Next());
  return has_row ? rows.Int64(0) : int64_t{0};
}

StatusOr<int64_t> SqliteSyncStateStore::RetryDead(const std::string& job, int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  DUET_RETURN_IF_ERROR(
      db_->Run({"UPDATE sync_outbox SET state = 'pending', attempts = 0, "
                "next_attempt_at = ? WHERE state = 'dead' AND (? = '' OR job = ?)",
                {now, job, job}}));
  return db_->changes();
}

Status SqliteSyncStateStore::DiscardDead(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  DUET_RETURN_IF_ERROR(db_->Run({"DELETE FROM sync_outbox WHERE id = ? AND state = 'dead'", {id}}));
  if (db_->changes() == 0) return NotFoundError("no dead letter has id " + std::to_string(id));
  return Status::Ok();
}

Status SqliteSyncStateStore::RecordEndpointCheck(const EndpointHealth& health) {
  std::lock_guard<std::mutex> lock(mutex_);
  return db_->Run(
      {"INSERT OR REPLACE INTO sync_endpoint_checks (endpoint, checked_at, ok, message, "
       "certificate_subject, certificate_expires_at) VALUES (?, ?, ?, ?, ?, ?)",
       {health.endpoint, health.checked_at, int64_t{health.ok ? 1 : 0}, health.message,
        health.certificate_subject, health.certificate_expires_at}});
}

StatusOr<std::vector<EndpointHealth>> SqliteSyncStateStore::EndpointChecks() {
  std::lock_guard<std::mutex> lock(mutex_);
  DUET_ASSIGN_OR_RETURN(
      SqliteRows rows,
      db_->Query({"SELECT endpoint, checked_at, ok, message, certificate_subject, "
                  "certificate_expires_at FROM sync_endpoint_checks ORDER BY endpoint",
                  {}}));
  return CollectRows<EndpointHealth>(rows, [](const SqliteRows& row) {
    EndpointHealth health;
    health.endpoint = row.Text(0);
    health.checked_at = row.Int64(1);
    health.ok = row.Int64(2) != 0;
    health.message = row.Text(3);
    health.certificate_subject = row.Text(4);
    health.certificate_expires_at = row.Int64(5);
    return health;
  });
}

Status SqliteSyncStateStore::ForgetEndpointCheck(const std::string& endpoint) {
  std::lock_guard<std::mutex> lock(mutex_);
  return db_->Run({"DELETE FROM sync_endpoint_checks WHERE endpoint = ?", {endpoint}});
}

StatusOr<std::optional<std::string>> SqliteSyncStateStore::Marker(const std::string& job,
                                                                  const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  DUET_ASSIGN_OR_RETURN(
      SqliteRows rows,
      db_->Query({"SELECT value FROM sync_markers WHERE job = ? AND marker_key = ?", {job, key}}));
  DUET_ASSIGN_OR_RETURN(bool found, rows.Next());
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(rows.Text(0));
}

Status SqliteSyncStateStore::UpsertMarker(const std::string& job, const std::string& key,
                                          const std::string& value) {
  return db_->Run(
      {"INSERT INTO sync_markers (job, marker_key, value) VALUES (?, ?, ?) "
       "ON CONFLICT (job, marker_key) DO UPDATE SET value = excluded.value",
       {job, key, value}});
}

Status SqliteSyncStateStore::SetMarker(const std::string& job, const std::string& key,
                                       const std::string& value) {
  std::lock_guard<std::mutex> lock(mutex_);
  return UpsertMarker(job, key, value);
}

}  // namespace duet::gateway
