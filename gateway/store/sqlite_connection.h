// SqliteConnection: a thin RAII wrapper over one sqlite3 connection and its prepared statement
// cache, private to gateway/store (SQLite's own types are only forward-declared here; every
// sqlite3_* call lives in sqlite_connection.cc).
//
// A connection is used by one thread at a time (the store hands each one out under a lock);
// SQLite is built serialized on Debian, but statements cached here are not shareable.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "fhir/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace duet::gateway {

using SqlValue = std::variant<int64_t, double, std::string>;

// One SQL text with its positional parameters.
struct SqlFragment {
  std::string sql;
  std::vector<SqlValue> params;
};

class SqliteConnection;

// A running statement: bound, stepped row by row, reset when destroyed.
class SqliteRows {
 public:
  SqliteRows(SqliteConnection* connection, sqlite3_stmt* statement);
  SqliteRows(SqliteRows&& other) noexcept;
  SqliteRows(const SqliteRows&) = delete;
  SqliteRows& operator=(const SqliteRows&) = delete;
  SqliteRows& operator=(SqliteRows&&) = delete;
  ~SqliteRows();

  // True when a row is available, false when done.
  StatusOr<bool> Next();
  int64_t Int64(int column) const;
  double Double(int column) const;
  // The column's bytes as stored (no conversion through a JSON model).
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  SqliteConnection* connection_;
  sqlite3_stmt* statement_;
};

// Every remaining row of `rows`, each made into a T by `from_row(rows)`.
template <typename T, typename FromRow>
StatusOr<std::vector<T>> CollectRows(SqliteRows& rows, FromRow from_row) {
  std::vector<T> collected;
  while (true) {
    DUET_ASSIGN_OR_RETURN(bool more, rows.Next());
    if (!more) return collected;
    collected.push_back(from_row(rows));
  }
}

class SqliteConnection {
 public:
  struct Options {
    bool query_only = false;  // readers: reject any write on this connection
    bool create = true;       // false: fail when the database file does not exist
    int busy_timeout_ms = 5000;
  };

  static StatusOr<std::unique_ptr<SqliteConnection>> Open(const std::string& path,
                                                          const Options& options);
  ~SqliteConnection();
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  // Runs one or more statements without results (schema, pragmas, BEGIN/COMMIT).
  Status Exec(const std::string& sql);
  // Prepares (or reuses) and binds a statement; step it through the returned rows.
  StatusOr<SqliteRows> Query(const SqlFragment& fragment);
  // Runs a statement to completion, ignoring any rows.
  Status Run(const SqlFragment& fragment);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t changes() const;
  // The rowid of the last row this connection inserted.
  int64_t last_insert_rowid() const;

  std::string ErrorMessage() const;

 private:
  explicit SqliteConnection(sqlite3* db);
  StatusOr<sqlite3_stmt*> Prepare(const std::string& sql);

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace duet::gateway
