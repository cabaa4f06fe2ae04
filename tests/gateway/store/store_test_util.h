// Helpers for the SQLite store tests: a temporary database directory removed at the end, and
// short ways to build resources and queries.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "fhir/json.h"
#include "fhir/search/search_query.h"
#include "gateway/store/sqlite_audit_log.h"
#include "gateway/store/sqlite_connection.h"
#include "gateway/store/sqlite_resource_store.h"

namespace duet::gateway::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("duet-store-test-" + std::to_string(random()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline fhir::Json MustParseJson(const std::string& text) {
  StatusOr<fhir::Json> json = fhir::ParseJson(text);
  EXPECT_TRUE(json.ok()) << json.status().ToString() << " in " << text;
  return json.ok() ? *json : fhir::Json();
}

inline fhir::SearchQuery MustQuery(const std::string& type,
                                   const std::vector<std::pair<std::string, std::string>>& params) {
  StatusOr<fhir::SearchQuery> query = fhir::ParseSearchQuery(type, params);
  EXPECT_TRUE(query.ok()) << query.status().ToString();
  return query.ok() ? *query : fhir::SearchQuery{};
}

inline std::unique_ptr<SqliteResourceStore> MustOpen(const std::string& path,
                                                     SqliteResourceStore::Options options = {}) {
  StatusOr<std::unique_ptr<SqliteResourceStore>> store =
      SqliteResourceStore::Open(path, std::move(options));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

// The first column of the first row `sql` gives (a count, a PRAGMA's number) in the SQLite file at
// `path`, read on a connection of its own; -1 (and a test failure) when it cannot be read.
inline int64_t QueryNumber(const std::string& path, const std::string& sql) {
  auto db = SqliteConnection::Open(path, SqliteConnection::Options{});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return -1;
  auto rows = (*db)->Query({sql, {}});
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  if (!rows.ok()) return -1;
  auto found = rows->Next();
  return found.ok() && *found ? rows->Int64(0) : -1;
}

// Rows of `table` in the SQLite file at `path`.
inline int64_t CountRows(const std::string& path, const std::string& table) {
  return QueryNumber(path, "SELECT COUNT(*) FROM " + table);
}

// The store at `path` and the audit log in its file (null, with a test failure, when either does
// not open).
struct StoreWithAudit {
  std::unique_ptr<SqliteResourceStore> store;
  std::unique_ptr<SqliteAuditLog> log;
};
inline StoreWithAudit MustOpenWithAudit(const std::string& path) {
  StoreWithAudit opened;
  opened.store = MustOpen(path);
  if (opened.store == nullptr) return opened;
  StatusOr<std::unique_ptr<SqliteAuditLog>> log = SqliteAuditLog::Open(path, opened.store.get());
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  if (log.ok()) opened.log = std::move(log).value();
  return opened;
}

// A clock that tests move by hand (milliseconds since the epoch).
struct ManualClock {
  std::shared_ptr<std::atomic<int64_t>> now = std::make_shared<std::atomic<int64_t>>(1700000000000);
  std::function<int64_t()> AsFunction() const {
    auto shared = now;
    return [shared] { return shared->load(); };
  }
};

}  // namespace duet::gateway::testing
