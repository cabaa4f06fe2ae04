#include "gateway/store/sqlite_connection.h"

#include <sqlite3.h>

namespace duet::gateway {
namespace {

// Dynamic search SQL varies with the query; past this many cached statements the cache starts
// over rather than growing without bound.
constexpr size_t kMaxCachedStatements = 512;

Status SqliteError(int code, const std::string& what, const std::string& detail) {
  const StatusCode status = (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED
                                ? StatusCode::kUnavailable
                            : (code & 0xff) == SQLITE_CONSTRAINT ? StatusCode::kConflict
                                                                 : StatusCode::kInternal;
  return Status(status, "sqlite: " + what + ": " + detail);
}

}  // namespace

SqliteRows::SqliteRows(SqliteConnection* connection, sqlite3_stmt* statement)
    : connection_(connection), statement_(statement) {}

SqliteRows::SqliteRows(SqliteRows&& other) noexcept
    : connection_(other.connection_), statement_(other.statement_) {
  other.statement_ = nullptr;
}

SqliteRows::~SqliteRows() {
  if (statement_ != nullptr) {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
}

StatusOr<bool> SqliteRows::Next() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(rc, "step", connection_->ErrorMessage());
}

int64_t SqliteRows::Int64(int column) const { return sqlite3_column_int64(statement_, column); }

double SqliteRows::Double(int column) const { return sqlite3_column_double(statement_, column); }

std::string SqliteRows::Text(int column) const {
  const auto* text = static_cast<const char*>(sqlite3_column_blob(statement_, column));
  const int size = sqlite3_column_bytes(statement_, column);
  return text == nullptr ? std::string() : std::string(text, static_cast<size_t>(size));
}

bool SqliteRows::IsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

SqliteConnection::SqliteConnection(sqlite3* db) : db_(db) {}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  sqlite3_close_v2(db_);
}

StatusOr<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path,
                                                                   const Options& options) {
  sqlite3* db = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return UnavailableError("sqlite: cannot open " + path + ": " + detail);
  }
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(db));
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  sqlite3_extended_result_codes(db, 1);
  DUET_RETURN_IF_ERROR(connection->Exec("PRAGMA foreign_keys = ON"));
  if (options.query_only) DUET_RETURN_IF_ERROR(connection->Exec("PRAGMA query_only = ON"));
  return connection;
}

std::string SqliteConnection::ErrorMessage() const { return sqlite3_errmsg(db_); }

int64_t SqliteConnection::changes() const { return sqlite3_changes64(db_); }

int64_t SqliteConnection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

Status SqliteConnection::Exec(const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string detail = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    return SqliteError(rc & 0xff, sql.substr(0, 60), detail);
  }
  return Status::Ok();
}

StatusOr<sqlite3_stmt*> SqliteConnection::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  if (statements_.size() >= kMaxCachedStatements) {
    for (auto& [text, statement] : statements_) sqlite3_finalize(statement);
    statements_.clear();
  }
  sqlite3_stmt* statement = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc & 0xff, "prepare", ErrorMessage() + " in: " + sql);
  statements_.emplace(sql, statement);
  return statement;
}

StatusOr<SqliteRows> SqliteConnection::Query(const SqlFragment& fragment) {
  DUET_ASSIGN_OR_RETURN(sqlite3_stmt * statement, Prepare(fragment.sql));
  SqliteRows rows(this, statement);
  for (size_t i = 0; i < fragment.params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    const SqlValue& value = fragment.params[i];
    int rc = SQLITE_OK;
    if (const auto* integer = std::get_if<int64_t>(&value)) {
      rc = sqlite3_bind_int64(statement, index, *integer);
    } else if (const auto* real = std::get_if<double>(&value)) {
      rc = sqlite3_bind_double(statement, index, *real);
    } else {
      const std::string& text = std::get<std::string>(value);
      rc = sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()),
                             SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) return SqliteError(rc, "bind", ErrorMessage());
  }
  return rows;
}

Status SqliteConnection::Run(const SqlFragment& fragment) {
  DUET_ASSIGN_OR_RETURN(SqliteRows rows, Query(fragment));
  while (true) {
    DUET_ASSIGN_OR_RETURN(bool has_row, rows.Next());
    if (!has_row) return Status::Ok();
  }
}

}  // namespace duet::gateway
