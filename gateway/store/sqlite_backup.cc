#include "gateway/store/sqlite_backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

namespace duet::gateway {
namespace {

namespace fs = std::filesystem;

// How long a backup step waits, in total, for the gateway's writer to let it read.
constexpr auto kBusyRetryFor = std::chrono::seconds(30);
constexpr auto kBusyPause = std::chrono::milliseconds(50);
constexpr int kBusyTimeoutMs = 10000;

// Closes a connection when it goes out of scope.
struct Database {
  sqlite3* db = nullptr;
  Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database() { sqlite3_close_v2(db); }
  std::string error() const { return db != nullptr ? sqlite3_errmsg(db) : "out of memory"; }
};

Status OpenDatabase(const std::string& path, int flags, Database& database) {
  const int rc = sqlite3_open_v2(path.c_str(), &database.db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    return UnavailableError("cannot open " + path + ": " + database.error());
  }
  sqlite3_busy_timeout(database.db, kBusyTimeoutMs);
  return Status::Ok();
}

// Runs `sql` and hands each result row to `row`.
Status ForEachRow(Database& database, const std::string& sql,
                  const std::function<void(sqlite3_stmt*)>& row) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(database.db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    return InternalError(sql + ": " + database.error());
  }
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) row(statement);
  sqlite3_finalize(statement);
  if (rc != SQLITE_DONE) return InternalError(sql + ": " + database.error());
  return Status::Ok();
}

StatusOr<int64_t> QueryInt(Database& database, const std::string& sql) {
  int64_t value = 0;
  DUET_RETURN_IF_ERROR(
      ForEachRow(database, sql, [&](sqlite3_stmt* row) { value = sqlite3_column_int64(row, 0); }));
  return value;
}

StatusOr<bool> HasTable(Database& database, const std::string& table) {
  DUET_ASSIGN_OR_RETURN(int64_t count, QueryInt(database,
                                                "SELECT COUNT(*) FROM sqlite_master WHERE type = "
                                                "'table' AND name = '" +
                                                    table + "'"));
  return count > 0;
}

// Integrity, then what the file holds.
StatusOr<StoreFileFacts> Check(Database& database, const std::string& path) {
  std::vector<std::string> findings;
  DUET_RETURN_IF_ERROR(ForEachRow(database, "PRAGMA integrity_check", [&](sqlite3_stmt* row) {
                         const auto* text = sqlite3_column_text(row, 0);
                         findings.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text)
                                                               : "");
                       }).WithContext(path + ": integrity check"));
  if (findings.size() != 1 || findings[0] != "ok") {
    std::string message = path + " fails its integrity check:";
    for (const std::string& finding : findings) message += "\n  " + finding;
    return InternalError(message);
  }
  for (const char* table : {"schema_version", "resources", "history"}) {
    DUET_ASSIGN_OR_RETURN(bool present, HasTable(database, table));
    if (!present) {
      return FailedPreconditionError(path + " is not a Duet store (it has no " +
                                     std::string(table) + " table)");
    }
  }
  StoreFileFacts facts;
  DUET_ASSIGN_OR_RETURN(facts.schema_version,
                        QueryInt(database, "SELECT MAX(version) FROM schema_version"));
  DUET_ASSIGN_OR_RETURN(facts.current_resources,
                        QueryInt(database, "SELECT COUNT(*) FROM resources WHERE deleted = 0"));
  DUET_ASSIGN_OR_RETURN(facts.history_versions, QueryInt(database, "SELECT COUNT(*) FROM history"));
  std::error_code error;
  const auto size = fs::file_size(path, error);
  facts.bytes = error ? 0 : static_cast<int64_t>(size);
  return facts;
}

// Writes `source` into the empty file `target` with VACUUM INTO: one read transaction of the
// source (a consistent snapshot while the gateway writes), written once and compact, without the
// pages the store had freed (deleted audit records, dropped index rows) and without a temporary
// copy elsewhere. Retries while the gateway's writer holds a lock the read needs.
Status VacuumInto(Database& source, const std::string& target, const std::string& store_path) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(source.db, "VACUUM INTO ?1", -1, &statement, nullptr) != SQLITE_OK) {
    return InternalError("cannot start the backup: " + source.error());
  }
  sqlite3_bind_text(statement, 1, target.c_str(), -1, SQLITE_TRANSIENT);
  const auto give_up_at = std::chrono::steady_clock::now() + kBusyRetryFor;
  int rc = SQLITE_OK;
  while (true) {
    rc = sqlite3_step(statement);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    if (std::chrono::steady_clock::now() >= give_up_at) break;
    sqlite3_reset(statement);
    std::this_thread::sleep_for(kBusyPause);
  }
  const std::string error = source.error();
  sqlite3_finalize(statement);
  if (rc == SQLITE_DONE) return Status::Ok();
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    return UnavailableError(store_path + " stayed locked for " +
                            std::to_string(kBusyRetryFor.count()) + " s; try again");
  }
  return InternalError("copying " + store_path + ": " + std::string(sqlite3_errstr(rc)) + " (" +
                       error + ")");
}

Status SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return InternalError("cannot open " + path + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) return InternalError("cannot sync " + path + ": " + std::strerror(error));
  return Status::Ok();
}

// A private, empty file for the copy, unique in the target's directory.
StatusOr<std::string> CreateTemporaryCopy(const std::string& copy_path) {
  static std::atomic<int> counter{0};
  std::string path = copy_path + ".partial-" + std::to_string(::getpid()) + "-" +
                     std::to_string(counter.fetch_add(1));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError("cannot create " + path + ": " + std::strerror(errno));
  ::close(fd);
  return path;
}

void RemoveTemporaryCopy(const std::string& path) {
  std::error_code ignored;
  fs::remove(path, ignored);
  fs::remove(path + "-journal", ignored);
}

// Writes, converts and checks the copy at `temporary`.
StatusOr<StoreFileFacts> WriteCopy(const std::string& store_path, const std::string& temporary) {
  Database source;
  // Read-write without create: a read-only connection could leave -wal/-shm files behind that
  // the gateway's user cannot open. The only statement it runs is VACUUM INTO, which reads the
  // store and writes the copy (PRAGMA query_only would refuse it, since it writes a database).
  DUET_RETURN_IF_ERROR(OpenDatabase(store_path, SQLITE_OPEN_READWRITE, source));
  DUET_RETURN_IF_ERROR(VacuumInto(source, temporary, store_path));
  Database copy;
  DUET_RETURN_IF_ERROR(OpenDatabase(temporary, SQLITE_OPEN_READWRITE, copy));
  // A backup is one self-contained file, whatever journal mode the copy's header names.
  if (sqlite3_exec(copy.db, "PRAGMA journal_mode = DELETE", nullptr, nullptr, nullptr) !=
      SQLITE_OK) {
    return InternalError(temporary + ": " + copy.error());
  }
  return Check(copy, temporary);
}

}  // namespace

StatusOr<StoreFileFacts> CheckSqliteStoreFile(const std::string& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return NotFoundError("no store file at " + path);
  Database database;
  DUET_RETURN_IF_ERROR(OpenDatabase(path, SQLITE_OPEN_READONLY, database));
  return Check(database, path);
}

StatusOr<StoreFileFacts> BackUpSqliteStore(const std::string& store_path,
                                           const std::string& copy_path) {
  if (store_path == ":memory:") {
    return InvalidArgumentError("store.path is :memory:, there is no file to back up");
  }
  std::error_code error;
  if (!fs::is_regular_file(store_path, error)) {
    return NotFoundError("no store file at " + store_path);
  }
  if (fs::exists(fs::symlink_status(copy_path, error))) {
    return AlreadyExistsError(copy_path + " exists; a backup never overwrites a file");
  }
  const fs::path directory = fs::absolute(copy_path, error).parent_path();
  if (!fs::is_directory(directory, error)) {
    return NotFoundError("no directory " + directory.string() + " for the backup");
  }

  DUET_ASSIGN_OR_RETURN(std::string temporary, CreateTemporaryCopy(copy_path));
  StatusOr<StoreFileFacts> facts = WriteCopy(store_path, temporary);
  Status published = facts.ok() ? SyncPath(temporary, O_RDONLY) : facts.status();
  // link() never replaces an existing name, unlike rename(): a file created at `copy_path` in
  // the meantime stays as it was.
  if (published.ok() && ::link(temporary.c_str(), copy_path.c_str()) != 0) {
    const int link_error = errno;
    published =
        link_error == EEXIST
            ? AlreadyExistsError(copy_path + " exists; a backup never overwrites a file")
            : InternalError("cannot create " + copy_path + ": " + std::strerror(link_error));
  }
  RemoveTemporaryCopy(temporary);
  if (!published.ok()) return published;
  // Makes the new name durable; the copy is complete and checked whether or not this works.
  SyncPath(directory.string(), O_RDONLY | O_DIRECTORY).IgnoreError();
  facts->bytes = static_cast<int64_t>(fs::file_size(copy_path, error));
  return facts;
}

}  // namespace duet::gateway
