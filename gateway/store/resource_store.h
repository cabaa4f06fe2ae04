// ResourceStore: durable, versioned storage of FHIR resources with full history and search.
//
// The interface is what the FHIR REST handlers, the practice API and the sync jobs use; the
// SQLite implementation (sqlite_resource_store.h) is the embedded one, and a PostgreSQL one can
// follow for multi-instance deployments. Implementations are thread-safe: any thread may call
// any method. Writes happen only through a WriteTransaction, of which at most one is open at a
// time per store (BeginWrite blocks until the previous one ends), so a check-then-write inside
// one transaction (conditional create, If-Match) is atomic. Reads outside a transaction see the
// last committed state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhir/search/search_query.h"
#include "fhir/status.h"
#include "gateway/audit/audit_record.h"

namespace duet::gateway {

// One version of one resource as stored.
struct StoredResource {
  std::string type;
  std::string id;
  int64_t version_id = 0;
  std::string last_updated;  // FHIR instant with milliseconds, UTC: 2026-11-27T06:39:22.123Z
  bool deleted = false;      // a delete tombstone: json is empty
  std::string json;          // the resource as served, meta.versionId/lastUpdated included
  std::string method;        // "POST", "PUT" or "DELETE": how this version came to be
};

struct SearchResult {
  std::vector<StoredResource> matches;   // this page, in query order
  std::vector<StoredResource> included;  // _include/_revinclude targets, no duplicates
  std::optional<int64_t> total;          // total matches across pages
  std::string next_cursor;               // "" when this is the last page
};

struct HistoryQuery {
  std::string type;   // "" for the whole system
  std::string id;     // "" for the whole type
  std::string since;  // FHIR instant; "" for no lower bound
  int count = 50;
  std::string cursor;  // from a previous HistoryPage, "" for the first page
};

struct HistoryPage {
  std::vector<StoredResource> versions;  // newest first
  int64_t total = 0;                     // -1 when not known (filtered pages)
  std::string next_cursor;
};

// The unit of atomic change. Everything done through one transaction is committed together by
// Commit() or discarded when the object is destroyed without it. Owned by the caller; used from
// one thread at a time.
class WriteTransaction {
 public:
  virtual ~WriteTransaction() = default;

  // Reads see the transaction's own uncommitted writes.
  virtual StatusOr<StoredResource> Read(const std::string& type, const std::string& id) = 0;
  // kNotFound when that version does not exist.
  virtual StatusOr<StoredResource> ReadVersion(const std::string& type, const std::string& id,
                                               int64_t version_id) = 0;
  virtual StatusOr<SearchResult> Search(const fhir::SearchQuery& query) = 0;

  // Stores a new resource. The store assigns the id when `id` is empty (the resource's own "id"
  // member is replaced), sets meta.versionId = 1 and meta.lastUpdated. kAlreadyExists when the
  // id is taken (a deleted resource's id counts as taken: use Update to revive it).
  virtual StatusOr<StoredResource> Create(const std::string& type, const std::string& id,
                                          fhir::Json resource) = 0;
  // Stores a new version (or the first one, update-as-create). With `if_match`, the current
  // version must be that one, else kFailedPrecondition. A resource identical to the current one
  // apart from meta still makes a new version.
  virtual StatusOr<StoredResource> Update(const std::string& type, const std::string& id,
                                          fhir::Json resource, std::optional<int64_t> if_match) = 0;
  // Writes a tombstone version. kNotFound when the resource never existed; deleting an already
  // deleted resource succeeds and returns the existing tombstone.
  virtual StatusOr<StoredResource> Delete(const std::string& type, const std::string& id,
                                          std::optional<int64_t> if_match) = 0;

  // Adds an audit record (gateway/audit/) that is committed or discarded with this transaction's
  // writes, so a write that rolls back leaves no record of its success. Stores that keep no audit
  // trail answer kUnimplemented.
  virtual Status AppendAudit(const AuditRecord& record) {
    (void)record;
    return UnimplementedError("this store keeps no audit trail");
  }
  // Deletes the oldest audit records recorded before `before_ms` (milliseconds since the epoch),
  // at most `limit`; how many. For the audit log's retention period (SqliteAuditLog).
  virtual StatusOr<int64_t> PruneAudit(int64_t before_ms, int64_t limit) {
    (void)before_ms;
    (void)limit;
    return UnimplementedError("this store keeps no audit trail");
  }
  virtual Status Commit() = 0;
};

class ResourceStore {
 public:
  virtual ~ResourceStore() = default;

  // Blocks until no other write transaction is open.
  virtual StatusOr<std::unique_ptr<WriteTransaction>> BeginWrite() = 0;

  // The current version (a tombstone when deleted). kNotFound when it never existed.
  virtual StatusOr<StoredResource> Read(const std::string& type, const std::string& id) = 0;
  // kNotFound when that version does not exist.
  virtual StatusOr<StoredResource> ReadVersion(const std::string& type, const std::string& id,
                                               int64_t version_id) = 0;
  virtual StatusOr<SearchResult> Search(const fhir::SearchQuery& query) = 0;
  virtual StatusOr<HistoryPage> History(const HistoryQuery& query) = 0;

  // Whether the underlying storage answers now, for /readyz: a real query that reaches the
  // storage (not only a connection's cache). Cheap, but not free: callers rate-limit it.
  virtual Status CheckHealth() = 0;
  // A number that grows with every committed write (at the latest when Commit returns), for
  // caches of facts derived from many resources: equal numbers mean nothing was written between.
  virtual uint64_t WriteGeneration() const = 0;
};

}  // namespace duet::gateway
