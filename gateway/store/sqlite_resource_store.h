// SqliteResourceStore: the embedded ResourceStore, one SQLite database file in WAL mode.
//
// Writes go through a single writer connection guarded by a mutex that a WriteTransaction holds
// from BeginWrite until Commit or destruction (BEGIN IMMEDIATE ... COMMIT, rolled back when not
// committed). Reads outside a transaction use a pool of query-only connections, so readers see
// the last committed state and never wait for the writer. Every write keeps the current row, the
// full version history and the search index rows in step inside that transaction.
//
// Thread-safe: any thread may call any method. A WriteTransaction must not outlive its store.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "fhir/status.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

class SqliteResourceStore : public ResourceStore {
 public:
  struct Options {
    // Upper bound on concurrent readers; more wait for a connection to come back.
    int max_read_connections = 8;
    // How long a statement waits on a lock held by another process before kUnavailable.
    int busy_timeout_ms = 5000;
    // Milliseconds since the Unix epoch, for meta.lastUpdated; the system clock when empty.
    std::function<int64_t()> clock;
    // JSON bytes of recently read resources kept in memory for reads by id (0 turns it off).
    // Only valid while this process is the database's only writer, as `duet serve` is.
    size_t read_cache_bytes = 8 * 1024 * 1024;
  };

  // Opens (creating the file, its directory and the schema when missing) the database at
  // `path`. kUnavailable when the file cannot be opened; kFailedPrecondition when its schema is
  // newer than this build.
  static StatusOr<std::unique_ptr<SqliteResourceStore>> Open(const std::string& path,
                                                             Options options);
  static StatusOr<std::unique_ptr<SqliteResourceStore>> Open(const std::string& path);

  ~SqliteResourceStore() override;
  SqliteResourceStore(const SqliteResourceStore&) = delete;
  SqliteResourceStore& operator=(const SqliteResourceStore&) = delete;

  StatusOr<std::unique_ptr<WriteTransaction>> BeginWrite() override;
  StatusOr<StoredResource> Read(const std::string& type, const std::string& id) override;
  StatusOr<StoredResource> ReadVersion(const std::string& type, const std::string& id,
                                       int64_t version_id) override;
  StatusOr<SearchResult> Search(const fhir::SearchQuery& query) override;
  StatusOr<HistoryPage> History(const HistoryQuery& query) override;
  Status CheckHealth() override;
  uint64_t WriteGeneration() const override;

  // The schema version this build creates and understands.
  static constexpr int kSchemaVersion = 1;

  class Impl;  // defined in the .cc file; public only so its transaction class can name it

 private:
  explicit SqliteResourceStore(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
};

}  // namespace duet::gateway
