#include "gateway/store/sqlite_resource_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <random>
#include <unordered_set>
#include <utility>
#include <vector>

#include "fhir/search/date_range.h"
#include "fhir/search/search_index.h"
#include "gateway/store/resource_cache.h"
#include "gateway/store/sqlite_audit_rows.h"
#include "gateway/store/sqlite_connection.h"
#include "gateway/store/sqlite_search_sql.h"

namespace duet::gateway {
namespace {

using fhir::Json;

// Version 1. `seq` is the internal row sequence of a resource: assigned once at creation, never
// reused (AUTOINCREMENT), it orders searches by insertion and keys the index tables. `hseq`
// orders the history. Index tables repeat the resource type so that a search reads only its
// value index, and carry (seq, param) indexes for filtering candidates and for replacing a
// resource's rows on every write.
constexpr char kSchemaV1[] = R"sql(
CREATE TABLE resources (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  last_updated TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  method TEXT NOT NULL,
  json TEXT NOT NULL,
  UNIQUE (type, id)
);
CREATE INDEX resources_by_type ON resources (type, deleted);
CREATE INDEX resources_by_last_updated ON resources (type, deleted, last_updated);
CREATE TABLE history (
  hseq INTEGER PRIMARY KEY AUTOINCREMENT,
  seq INTEGER NOT NULL REFERENCES resources (seq),
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  last_updated TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  method TEXT NOT NULL,
  json TEXT NOT NULL,
  UNIQUE (type, id, version)
);
CREATE INDEX history_by_type ON history (type, hseq);
CREATE TABLE idx_token (
  seq INTEGER NOT NULL REFERENCES resources (seq),
  type TEXT NOT NULL, param TEXT NOT NULL, system TEXT NOT NULL, code TEXT NOT NULL);
CREATE INDEX idx_token_value ON idx_token (type, param, code, system);
CREATE INDEX idx_token_seq ON idx_token (seq, param);
CREATE TABLE idx_reference (
  seq INTEGER NOT NULL REFERENCES resources (seq),
  type TEXT NOT NULL, param TEXT NOT NULL, target_type TEXT NOT NULL, target_id TEXT NOT NULL);
CREATE INDEX idx_reference_value ON idx_reference (type, param, target_id, target_type);
CREATE INDEX idx_reference_seq ON idx_reference (seq, param);
CREATE TABLE idx_date (
  seq INTEGER NOT NULL REFERENCES resources (seq),
  type TEXT NOT NULL, param TEXT NOT NULL, low TEXT NOT NULL, high TEXT NOT NULL);
CREATE INDEX idx_date_value ON idx_date (type, param, low);
CREATE INDEX idx_date_seq ON idx_date (seq, param);
CREATE TABLE idx_string (
  seq INTEGER NOT NULL REFERENCES resources (seq),
  type TEXT NOT NULL, param TEXT NOT NULL, normalized TEXT NOT NULL, exact TEXT NOT NULL);
CREATE INDEX idx_string_value ON idx_string (type, param, normalized);
CREATE INDEX idx_string_seq ON idx_string (seq, param);
CREATE TABLE idx_number (
  seq INTEGER NOT NULL REFERENCES resources (seq),
  type TEXT NOT NULL, param TEXT NOT NULL, value REAL NOT NULL, text TEXT NOT NULL);
CREATE INDEX idx_number_value ON idx_number (type, param, value);
CREATE INDEX idx_number_seq ON idx_number (seq, param);
CREATE TABLE idx_quantity (
  seq INTEGER NOT NULL REFERENCES resources (seq),
  type TEXT NOT NULL, param TEXT NOT NULL, value REAL NOT NULL, text TEXT NOT NULL,
  system TEXT NOT NULL, code TEXT NOT NULL, unit TEXT NOT NULL);
CREATE INDEX idx_quantity_value ON idx_quantity (type, param, value);
CREATE INDEX idx_quantity_seq ON idx_quantity (seq, param);
CREATE TABLE idx_uri (
  seq INTEGER NOT NULL REFERENCES resources (seq),
  type TEXT NOT NULL, param TEXT NOT NULL, uri TEXT NOT NULL);
CREATE INDEX idx_uri_value ON idx_uri (type, param, uri);
CREATE INDEX idx_uri_seq ON idx_uri (seq, param);
)sql";

constexpr const char* kIndexTables[] = {"idx_token",  "idx_reference", "idx_date", "idx_string",
                                        "idx_number", "idx_quantity",  "idx_uri"};

constexpr char kHistoryColumns[] =
    "h.hseq, h.type, h.id, h.version, h.last_updated, h.deleted, h.method, h.json";

int64_t SystemNowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Reads a row selected with kResourceColumns or kHistoryColumns (same layout).
StoredResource ToStoredResource(const SqliteRows& rows) {
  StoredResource resource;
  resource.type = rows.Text(1);
  resource.id = rows.Text(2);
  resource.version_id = rows.Int64(3);
  resource.last_updated = rows.Text(4);
  resource.deleted = rows.Int64(5) != 0;
  resource.method = rows.Text(6);
  resource.json = rows.Text(7);
  return resource;
}

bool IsValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
  });
}

std::string ResourceName(const std::string& type, const std::string& id) { return type + "/" + id; }

// The resource as stored: resourceType, id and meta first, meta.versionId/lastUpdated set, every
// other member (meta.profile, tag, security...) kept in order.
StatusOr<Json> StampResource(Json resource, const std::string& type, const std::string& id,
                             int64_t version, const std::string& last_updated) {
  if (!resource.is_object()) {
    return InvalidArgumentError(ResourceName(type, id) + ": a resource must be a JSON object");
  }
  const std::string_view resource_type = resource.StringOr("resourceType");
  if (resource_type != type) {
    return InvalidArgumentError(ResourceName(type, id) + ": resourceType \"" +
                                std::string(resource_type) + "\" does not match " + type);
  }
  Json meta = Json::MakeObject();
  if (const Json* old_meta = resource.Find("meta")) {
    if (!old_meta->is_object()) {
      return InvalidArgumentError(ResourceName(type, id) + ": meta must be an object");
    }
    meta = *old_meta;
  }
  meta.Remove("versionId");
  meta.Remove("lastUpdated");
  Json::Object meta_members;
  meta_members.emplace_back("versionId", Json::String(std::to_string(version)));
  meta_members.emplace_back("lastUpdated", Json::String(last_updated));
  for (auto& member : meta.members()) meta_members.push_back(std::move(member));
  meta.members() = std::move(meta_members);

  Json stamped = Json::MakeObject();
  stamped.members().emplace_back("resourceType", Json::String(type));
  stamped.members().emplace_back("id", Json::String(id));
  stamped.members().emplace_back("meta", std::move(meta));
  for (auto& [name, value] : resource.members()) {
    if (name == "resourceType" || name == "id" || name == "meta") continue;
    stamped.members().emplace_back(std::move(name), std::move(value));
  }
  return stamped;
}

// The current row of a resource, without its JSON.
struct CurrentRow {
  int64_t seq = 0;
  int64_t version = 0;
  std::string last_updated;
  bool deleted = false;
};

StatusOr<std::optional<CurrentRow>> FindCurrent(SqliteConnection& db, const std::string& type,
                                                const std::string& id) {
  DUET_ASSIGN_OR_RETURN(SqliteRows rows,
                        db.Query({"SELECT seq, version, last_updated, deleted FROM resources "
                                  "WHERE type = ? AND id = ?",
                                  {type, id}}));
  DUET_ASSIGN_OR_RETURN(bool found, rows.Next());
  if (!found) return std::optional<CurrentRow>();
  return std::optional<CurrentRow>(
      CurrentRow{rows.Int64(0), rows.Int64(1), rows.Text(2), rows.Int64(3) != 0});
}

StatusOr<StoredResource> ReadCurrentOn(SqliteConnection& db, const std::string& type,
                                       const std::string& id) {
  DUET_ASSIGN_OR_RETURN(SqliteRows rows,
                        db.Query({std::string("SELECT ") + kResourceColumns +
                                      " FROM resources r WHERE r.type = ? AND r.id = ?",
                                  {type, id}}));
  DUET_ASSIGN_OR_RETURN(bool found, rows.Next());
  if (!found) return NotFoundError(ResourceName(type, id) + " does not exist");
  return ToStoredResource(rows);
}

StatusOr<StoredResource> ReadVersionOn(SqliteConnection& db, const std::string& type,
                                       const std::string& id, int64_t version) {
  DUET_ASSIGN_OR_RETURN(
      SqliteRows rows,
      db.Query({std::string("SELECT ") + kHistoryColumns +
                    " FROM history h WHERE h.type = ? AND h.id = ? AND h.version = ?",
                {type, id, version}}));
  DUET_ASSIGN_OR_RETURN(bool found, rows.Next());
  if (!found) {
    return NotFoundError(ResourceName(type, id) + " has no version " + std::to_string(version));
  }
  return ToStoredResource(rows);
}

// Appends the resources selected by `fragment` (kResourceColumns) not seen yet.
Status CollectNew(SqliteConnection& db, const SqlFragment& fragment,
                  std::unordered_set<int64_t>* seen, std::vector<StoredResource>* out) {
  DUET_ASSIGN_OR_RETURN(SqliteRows rows, db.Query(fragment));
  while (true) {
    DUET_ASSIGN_OR_RETURN(bool has_row, rows.Next());
    if (!has_row) return Status::Ok();
    if (seen->insert(rows.Int64(0)).second) out->push_back(ToStoredResource(rows));
  }
}

std::string Placeholders(size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i) text += i == 0 ? "?" : ", ?";
  return text;
}

Status AddIncluded(SqliteConnection& db, const fhir::SearchQuery& query,
                   const std::vector<int64_t>& match_seqs, SearchResult* result) {
  if (match_seqs.empty()) return Status::Ok();
  std::unordered_set<int64_t> seen(match_seqs.begin(), match_seqs.end());
  for (const fhir::IncludeSpec& include : query.includes) {
    SqlFragment sql{std::string("SELECT ") + kResourceColumns +
                        " FROM idx_reference i CROSS JOIN resources r"
                        " WHERE i.seq IN (" +
                        Placeholders(match_seqs.size()) +
                        ") AND i.param = ? AND r.type = i.target_type AND r.id = i.target_id"
                        " AND r.deleted = 0",
                    {}};
    for (int64_t seq : match_seqs) sql.params.emplace_back(seq);
    sql.params.emplace_back(include.param);
    if (!include.target_type.empty()) {
      sql.sql += " AND i.target_type = ?";
      sql.params.emplace_back(include.target_type);
    }
    sql.sql += " ORDER BY r.seq";
    DUET_RETURN_IF_ERROR(CollectNew(db, sql, &seen, &result->included));
  }
  for (const fhir::IncludeSpec& revinclude : query.revincludes) {
    if (!revinclude.target_type.empty() && revinclude.target_type != query.resource_type) continue;
    SqlFragment sql{std::string("SELECT ") + kResourceColumns +
                        " FROM idx_reference i CROSS JOIN resources r"
                        " WHERE i.type = ? AND i.param = ? AND i.target_id IN (" +
                        Placeholders(result->matches.size()) +
                        ") AND i.target_type = ? AND r.seq = i.seq AND r.deleted = 0"
                        " ORDER BY r.seq",
                    {revinclude.source_type, revinclude.param}};
    for (const StoredResource& match : result->matches) sql.params.emplace_back(match.id);
    sql.params.emplace_back(query.resource_type);
    DUET_RETURN_IF_ERROR(CollectNew(db, sql, &seen, &result->included));
  }
  return Status::Ok();
}

StatusOr<SearchResult> SearchOn(SqliteConnection& db, const fhir::SearchQuery& query,
                                int64_t now_millis) {
  if (!fhir::IsSupportedResourceType(query.resource_type)) {
    return InvalidArgumentError("resource type \"" + query.resource_type + "\" is not supported");
  }
  std::optional<SearchCursor> after;
  if (!query.cursor.empty()) {
    DUET_ASSIGN_OR_RETURN(after, DecodeSearchCursor(query.cursor, query.sort));
  }
  const int limit = query.summary_count ? 0 : std::max(query.count, 0);
  const SearchSql sql = BuildSearchSql(query, after, limit + 1, now_millis);

  SearchResult result;
  auto count_all = [&]() -> Status {
    DUET_ASSIGN_OR_RETURN(SqliteRows rows, db.Query(sql.count));
    DUET_ASSIGN_OR_RETURN(bool has_row, rows.Next());
    result.total = has_row ? rows.Int64(0) : 0;
    return Status::Ok();
  };
  if (limit == 0) {
    DUET_RETURN_IF_ERROR(count_all());
    return result;
  }

  std::vector<int64_t> match_seqs;
  {
    DUET_ASSIGN_OR_RETURN(SqliteRows rows, db.Query(sql.page));
    while (true) {
      DUET_ASSIGN_OR_RETURN(bool has_row, rows.Next());
      if (!has_row) break;
      if (static_cast<int>(result.matches.size()) == limit) {
        const StoredResource& last = result.matches.back();
        result.next_cursor =
            EncodeSearchCursor(SearchCursor{query.sort, last.last_updated, match_seqs.back()});
        break;
      }
      match_seqs.push_back(rows.Int64(0));
      result.matches.push_back(ToStoredResource(rows));
    }
  }
  // A first page that holds every match already tells the total; otherwise count them.
  if (after || !result.next_cursor.empty()) {
    DUET_RETURN_IF_ERROR(count_all());
  } else {
    result.total = static_cast<int64_t>(result.matches.size());
  }
  DUET_RETURN_IF_ERROR(AddIncluded(db, query, match_seqs, &result));
  return result;
}

StatusOr<HistoryPage> HistoryOn(SqliteConnection& db, const HistoryQuery& query) {
  if (!query.id.empty() && query.type.empty()) {
    return InvalidArgumentError("history of an id needs its resource type");
  }
  SqlFragment where{" WHERE 1", {}};
  if (!query.type.empty()) {
    where.sql += " AND h.type = ?";
    where.params.emplace_back(query.type);
  }
  if (!query.id.empty()) {
    where.sql += " AND h.id = ?";
    where.params.emplace_back(query.id);
  }
  if (!query.since.empty()) {
    StatusOr<fhir::DateRange> since = fhir::ParseDateRange(query.since);
    if (!since.ok()) {
      return InvalidArgumentError("history parameter \"_since\": " + since.status().message());
    }
    where.sql += " AND h.last_updated >= ?";
    where.params.emplace_back(since->low);
  }
  HistoryPage page;
  {
    SqlFragment count{"SELECT COUNT(*) FROM history h" + where.sql, where.params};
    DUET_ASSIGN_OR_RETURN(SqliteRows rows, db.Query(count));
    DUET_ASSIGN_OR_RETURN(bool has_row, rows.Next());
    page.total = has_row ? rows.Int64(0) : 0;
  }
  if (page.total == 0 && !query.id.empty()) {
    DUET_ASSIGN_OR_RETURN(std::optional<CurrentRow> current, FindCurrent(db, query.type, query.id));
    if (!current) return NotFoundError(ResourceName(query.type, query.id) + " does not exist");
  }
  SqlFragment select{std::string("SELECT ") + kHistoryColumns + " FROM history h" + where.sql,
                     where.params};
  if (!query.cursor.empty()) {
    DUET_ASSIGN_OR_RETURN(int64_t before, DecodeHistoryCursor(query.cursor));
    select.sql += " AND h.hseq < ?";
    select.params.emplace_back(before);
  }
  const int limit = std::max(query.count, 0);
  select.sql += " ORDER BY h.hseq DESC LIMIT ?";
  select.params.emplace_back(static_cast<int64_t>(limit + 1));
  if (limit == 0) return page;
  DUET_ASSIGN_OR_RETURN(SqliteRows rows, db.Query(select));
  int64_t last_hseq = 0;
  while (true) {
    DUET_ASSIGN_OR_RETURN(bool has_row, rows.Next());
    if (!has_row) break;
    if (static_cast<int>(page.versions.size()) == limit) {
      page.next_cursor = EncodeHistoryCursor(last_hseq);
      break;
    }
    last_hseq = rows.Int64(0);
    page.versions.push_back(ToStoredResource(rows));
  }
  return page;
}

Status InsertIndexRows(SqliteConnection& db, int64_t seq, const std::string& type,
                       const fhir::SearchIndexRows& rows) {
  for (const auto& row : rows.tokens) {
    DUET_RETURN_IF_ERROR(
        db.Run({"INSERT INTO idx_token (seq, type, param, system, code) VALUES (?, ?, ?, ?, ?)",
                {seq, type, row.param, row.system, row.code}}));
  }
  for (const auto& row : rows.references) {
    DUET_RETURN_IF_ERROR(
        db.Run({"INSERT INTO idx_reference (seq, type, param, target_type, target_id) "
                "VALUES (?, ?, ?, ?, ?)",
                {seq, type, row.param, row.target_type, row.target_id}}));
  }
  for (const auto& row : rows.dates) {
    DUET_RETURN_IF_ERROR(
        db.Run({"INSERT INTO idx_date (seq, type, param, low, high) VALUES (?, ?, ?, ?, ?)",
                {seq, type, row.param, row.low, row.high}}));
  }
  for (const auto& row : rows.strings) {
    DUET_RETURN_IF_ERROR(db.Run(
        {"INSERT INTO idx_string (seq, type, param, normalized, exact) VALUES (?, ?, ?, ?, ?)",
         {seq, type, row.param, row.normalized, row.exact}}));
  }
  for (const auto& row : rows.numbers) {
    DUET_RETURN_IF_ERROR(
        db.Run({"INSERT INTO idx_number (seq, type, param, value, text) VALUES (?, ?, ?, ?, ?)",
                {seq, type, row.param, row.value, row.text}}));
  }
  for (const auto& row : rows.quantities) {
    DUET_RETURN_IF_ERROR(
        db.Run({"INSERT INTO idx_quantity (seq, type, param, value, text, system, code, unit) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                {seq, type, row.param, row.value, row.text, row.system, row.code, row.unit}}));
  }
  for (const auto& row : rows.uris) {
    DUET_RETURN_IF_ERROR(db.Run({"INSERT INTO idx_uri (seq, type, param, uri) VALUES (?, ?, ?, ?)",
                                 {seq, type, row.param, row.uri}}));
  }
  return Status::Ok();
}

// One new version of a resource, as a write will store it.
struct NewVersion {
  std::string type;
  std::string id;
  int64_t version = 1;
  std::string last_updated;
  bool deleted = false;
  std::string method;
  std::string json;
};

// Writes the version's current row, history row and index rows (replacing the old ones).
// Runs inside a savepoint so a failure leaves the enclosing transaction as it was.
Status WriteVersionRows(SqliteConnection& db, const std::optional<CurrentRow>& current,
                        const NewVersion& version, const fhir::SearchIndexRows& index_rows) {
  DUET_RETURN_IF_ERROR(db.Exec("SAVEPOINT write_version"));
  auto write = [&]() -> Status {
    int64_t seq = 0;
    const int64_t deleted = version.deleted ? 1 : 0;
    if (current) {
      seq = current->seq;
      DUET_RETURN_IF_ERROR(db.Run(
          {"UPDATE resources SET version = ?, last_updated = ?, deleted = ?, method = ?, "
           "json = ? WHERE seq = ?",
           {version.version, version.last_updated, deleted, version.method, version.json, seq}}));
      for (const char* table : kIndexTables) {
        DUET_RETURN_IF_ERROR(
            db.Run({std::string("DELETE FROM ") + table + " WHERE seq = ?", {seq}}));
      }
    } else {
      DUET_ASSIGN_OR_RETURN(
          SqliteRows rows,
          db.Query({"INSERT INTO resources (type, id, version, last_updated, deleted, method, "
                    "json) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
                    {version.type, version.id, version.version, version.last_updated, deleted,
                     version.method, version.json}}));
      DUET_ASSIGN_OR_RETURN(bool inserted, rows.Next());
      if (!inserted) return InternalError("insert returned no row sequence");
      seq = rows.Int64(0);
      DUET_ASSIGN_OR_RETURN(bool more, rows.Next());
      (void)more;
    }
    DUET_RETURN_IF_ERROR(
        db.Run({"INSERT INTO history (seq, type, id, version, last_updated, deleted, method, "
                "json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                {seq, version.type, version.id, version.version, version.last_updated, deleted,
                 version.method, version.json}}));
    return InsertIndexRows(db, seq, version.type, index_rows);
  };
  Status status = write();
  if (!status.ok()) {
    db.Exec("ROLLBACK TO write_version").IgnoreError();
  }
  Status released = db.Exec("RELEASE write_version");
  return status.ok() ? released : status;
}

}  // namespace

class SqliteResourceStore::Impl {
 public:
  Impl(std::string path, Options options)
      : path_(std::move(path)), options_(std::move(options)), cache_(options_.read_cache_bytes) {
    std::random_device device;
    random_.seed((static_cast<uint64_t>(device()) << 32) ^ device());
  }

  Status OpenWriter() {
    SqliteConnection::Options connection_options;
    connection_options.busy_timeout_ms = options_.busy_timeout_ms;
    DUET_ASSIGN_OR_RETURN(writer_, SqliteConnection::Open(path_, connection_options));
    {
      DUET_ASSIGN_OR_RETURN(SqliteRows rows, writer_->Query({"PRAGMA journal_mode = WAL", {}}));
      DUET_ASSIGN_OR_RETURN(bool has_row, rows.Next());
      if (!has_row || rows.Text(0) != "wal") {
        return UnavailableError("sqlite: " + path_ + " cannot use write-ahead logging");
      }
    }
    // In WAL mode, synchronous=NORMAL syncs the log at checkpoints rather than on every commit:
    // a committed transaction survives a crash of the process, and the database can never be
    // corrupted, but the last commits before a power loss or OS crash may be rolled back. That
    // trade keeps commits fast (no fsync per write) for a gateway whose sources can resend.
    DUET_RETURN_IF_ERROR(writer_->Exec("PRAGMA synchronous = NORMAL"));
    DUET_RETURN_IF_ERROR(ApplyConnectionTuning(*writer_));
    DUET_RETURN_IF_ERROR(MigrateSchema());
    // The audit trail's tables (sqlite_audit_rows.h) live beside the resources, outside them.
    DUET_RETURN_IF_ERROR(writer_->Exec(kAuditSchema));
    if (!in_memory()) {
      struct stat info {};
      if (stat(path_.c_str(), &info) != 0) {
        return UnavailableError("sqlite: cannot stat " + path_ + " after opening it");
      }
      file_device_ = info.st_dev;
      file_inode_ = info.st_ino;
    }
    return Status::Ok();
  }

  bool in_memory() const { return path_ == ":memory:"; }

  // Whether the database file is still there, is the file this store opened, and answers a
  // query on a connection of its own (so the check reads the disk, not a connection's cache).
  Status ProbeFile() const {
    if (in_memory()) return Status::Ok();
    struct stat info {};
    if (stat(path_.c_str(), &info) != 0) {
      return UnavailableError("store file " + path_ + " is gone");
    }
    if (info.st_dev != file_device_ || info.st_ino != file_inode_) {
      return UnavailableError("store file " + path_ + " was replaced while the store was open");
    }
    SqliteConnection::Options probe_options;
    probe_options.query_only = true;
    probe_options.create = false;
    probe_options.busy_timeout_ms = options_.busy_timeout_ms;
    DUET_ASSIGN_OR_RETURN(auto probe, SqliteConnection::Open(path_, probe_options));
    DUET_ASSIGN_OR_RETURN(SqliteRows rows,
                          probe->Query({"SELECT MAX(version) FROM schema_version", {}}));
    DUET_ASSIGN_OR_RETURN(bool has_row, rows.Next());
    if (!has_row || rows.IsNull(0)) return UnavailableError("store schema is missing");
    return Status::Ok();
  }

  Status MigrateSchema() {
    DUET_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    Status status = [&]() -> Status {
      DUET_RETURN_IF_ERROR(
          writer_->Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
      DUET_ASSIGN_OR_RETURN(SqliteRows rows,
                            writer_->Query({"SELECT MAX(version) FROM schema_version", {}}));
      DUET_ASSIGN_OR_RETURN(bool has_row, rows.Next());
      const int64_t version = has_row && !rows.IsNull(0) ? rows.Int64(0) : 0;
      if (version > kSchemaVersion) {
        return FailedPreconditionError("store " + path_ + " has schema version " +
                                       std::to_string(version) + ", newer than this build's " +
                                       std::to_string(kSchemaVersion));
      }
      if (version == 0) {
        DUET_RETURN_IF_ERROR(writer_->Exec(kSchemaV1));
        DUET_RETURN_IF_ERROR(
            writer_->Run({"INSERT INTO schema_version (version) VALUES (?)", {int64_t{1}}}));
      }
      // Later versions migrate here, one step at a time, inside this transaction.
      return Status::Ok();
    }();
    if (!status.ok()) {
      writer_->Exec("ROLLBACK").IgnoreError();
      return status;
    }
    return writer_->Exec("COMMIT");
  }

  // Memory stays bounded whatever the store holds: a 4 MiB page cache per connection (nine
  // connections by default) and no memory mapping, since each connection's mapping of the file
  // would count in the process's resident memory on its own. Reads beyond the cache come from
  // the operating system's file cache.
  static Status ApplyConnectionTuning(SqliteConnection& db) {
    DUET_RETURN_IF_ERROR(db.Exec("PRAGMA cache_size = -4096"));
    return db.Exec("PRAGMA mmap_size = 0");
  }

  // A reader connection on loan from the pool.
  class Reader {
   public:
    Reader(Impl* impl, std::unique_ptr<SqliteConnection> connection)
        : impl_(impl), connection_(std::move(connection)) {}
    Reader(Reader&& other) noexcept = default;
    ~Reader() {
      if (connection_) impl_->ReturnReader(std::move(connection_));
    }
    SqliteConnection& operator*() { return *connection_; }

   private:
    Impl* impl_;
    std::unique_ptr<SqliteConnection> connection_;
  };

  StatusOr<Reader> AcquireReader() {
    std::unique_lock<std::mutex> lock(pool_mutex_);
    pool_available_.wait(lock, [&] {
      return !idle_readers_.empty() || open_readers_ < std::max(1, options_.max_read_connections);
    });
    if (!idle_readers_.empty()) {
      std::unique_ptr<SqliteConnection> connection = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return Reader(this, std::move(connection));
    }
    ++open_readers_;
    lock.unlock();
    SqliteConnection::Options connection_options;
    connection_options.query_only = true;
    // Only the writer creates the file: a reader opened after it vanished must fail, not read a
    // new empty database.
    connection_options.create = in_memory();
    connection_options.busy_timeout_ms = options_.busy_timeout_ms;
    StatusOr<std::unique_ptr<SqliteConnection>> opened =
        SqliteConnection::Open(path_, connection_options);
    Status tuned = opened.ok() ? ApplyConnectionTuning(**opened) : opened.status();
    if (!tuned.ok()) {
      std::lock_guard<std::mutex> relock(pool_mutex_);
      --open_readers_;
      pool_available_.notify_one();
      return tuned;
    }
    return Reader(this, std::move(opened).value());
  }

  void ReturnReader(std::unique_ptr<SqliteConnection> connection) {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    idle_readers_.push_back(std::move(connection));
    pool_available_.notify_one();
  }

  // Runs `read` inside one read transaction, so that its statements see one snapshot.
  template <typename T, typename Fn>
  StatusOr<T> WithSnapshot(Fn read) {
    DUET_ASSIGN_OR_RETURN(Reader reader, AcquireReader());
    SqliteConnection& db = *reader;
    DUET_RETURN_IF_ERROR(db.Exec("BEGIN"));
    StatusOr<T> result = read(db);
    db.Exec("COMMIT").IgnoreError();
    return result;
  }

  int64_t NowMillis() const { return options_.clock ? options_.clock() : SystemNowMillis(); }

  // A random (version 4) UUID; called with the write lock held.
  std::string NewId() {
    const uint64_t high = (random_() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
    const uint64_t low = (random_() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
    char buffer[40];
    std::snprintf(buffer, sizeof(buffer), "%08x-%04x-%04x-%04x-%012llx",
                  static_cast<unsigned>(high >> 32), static_cast<unsigned>((high >> 16) & 0xFFFF),
                  static_cast<unsigned>(high & 0xFFFF), static_cast<unsigned>(low >> 48),
                  static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
    return buffer;
  }

  std::mutex& write_mutex() { return write_mutex_; }
  SqliteConnection& writer() { return *writer_; }

 private:
  const std::string path_;
  const Options options_;

 public:
  ResourceCache& cache() { return cache_; }

 private:
  ResourceCache cache_;

  std::mutex write_mutex_;  // held by the open WriteTransaction
  std::unique_ptr<SqliteConnection> writer_;
  std::mt19937_64 random_;  // guarded by write_mutex_
  dev_t file_device_ = 0;   // the database file opened, set once by OpenWriter()
  ino_t file_inode_ = 0;

  std::mutex pool_mutex_;
  std::condition_variable pool_available_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;
  int open_readers_ = 0;
};

namespace {

class SqliteWriteTransaction : public WriteTransaction {
 public:
  SqliteWriteTransaction(SqliteResourceStore::Impl* impl, std::unique_lock<std::mutex> lock)
      : impl_(impl), lock_(std::move(lock)) {}

  ~SqliteWriteTransaction() override {
    if (!finished_) impl_->writer().Exec("ROLLBACK").IgnoreError();
  }

  StatusOr<StoredResource> Read(const std::string& type, const std::string& id) override {
    DUET_RETURN_IF_ERROR(CheckOpen());
    return ReadCurrentOn(impl_->writer(), type, id);
  }

  StatusOr<StoredResource> ReadVersion(const std::string& type, const std::string& id,
                                       int64_t version_id) override {
    DUET_RETURN_IF_ERROR(CheckOpen());
    return ReadVersionOn(impl_->writer(), type, id, version_id);
  }

  StatusOr<SearchResult> Search(const fhir::SearchQuery& query) override {
    DUET_RETURN_IF_ERROR(CheckOpen());
    return SearchOn(impl_->writer(), query, impl_->NowMillis());
  }

  StatusOr<StoredResource> Create(const std::string& type, const std::string& id,
                                  Json resource) override {
    DUET_RETURN_IF_ERROR(CheckOpen());
    DUET_RETURN_IF_ERROR(CheckType(type));
    const std::string new_id = id.empty() ? impl_->NewId() : id;
    DUET_RETURN_IF_ERROR(CheckId(type, new_id));
    DUET_ASSIGN_OR_RETURN(std::optional<CurrentRow> current,
                          FindCurrent(impl_->writer(), type, new_id));
    if (current) {
      return AlreadyExistsError(ResourceName(type, new_id) + " already exists" +
                                (current->deleted ? " (deleted; update it to revive it)" : ""));
    }
    return Write(type, new_id, std::move(resource), current, "POST");
  }

  StatusOr<StoredResource> Update(const std::string& type, const std::string& id, Json resource,
                                  std::optional<int64_t> if_match) override {
    DUET_RETURN_IF_ERROR(CheckOpen());
    DUET_RETURN_IF_ERROR(CheckType(type));
    DUET_RETURN_IF_ERROR(CheckId(type, id));
    DUET_ASSIGN_OR_RETURN(std::optional<CurrentRow> current,
                          FindCurrent(impl_->writer(), type, id));
    DUET_RETURN_IF_ERROR(CheckIfMatch(type, id, current, if_match));
    return Write(type, id, std::move(resource), current, "PUT");
  }

  StatusOr<StoredResource> Delete(const std::string& type, const std::string& id,
                                  std::optional<int64_t> if_match) override {
    DUET_RETURN_IF_ERROR(CheckOpen());
    DUET_ASSIGN_OR_RETURN(std::optional<CurrentRow> current,
                          FindCurrent(impl_->writer(), type, id));
    if (!current) return NotFoundError(ResourceName(type, id) + " does not exist");
    if (current->deleted) return ReadCurrentOn(impl_->writer(), type, id);
    DUET_RETURN_IF_ERROR(CheckIfMatch(type, id, current, if_match));
    NewVersion version = NextVersion(type, id, current);
    version.deleted = true;
    version.method = "DELETE";
    DUET_RETURN_IF_ERROR(WriteVersionRows(impl_->writer(), current, version, {}));
    written_.emplace_back(type, id);
    return ToResult(version);
  }

  Status AppendAudit(const AuditRecord& record) override {
    DUET_RETURN_IF_ERROR(CheckOpen());
    return InsertAuditRecord(impl_->writer(), record);
  }

  StatusOr<int64_t> PruneAudit(int64_t before_ms, int64_t limit) override {
    DUET_RETURN_IF_ERROR(CheckOpen());
    return DeleteAuditRecordsBefore(impl_->writer(), before_ms, limit);
  }

  Status Commit() override {
    DUET_RETURN_IF_ERROR(CheckOpen());
    Status status = impl_->writer().Exec("COMMIT");
    if (!status.ok()) impl_->writer().Exec("ROLLBACK").IgnoreError();
    if (status.ok()) {
      for (const auto& [type, id] : written_) impl_->cache().Invalidate(type, id);
    }
    finished_ = true;
    lock_.unlock();
    return status;
  }

 private:
  Status CheckOpen() const {
    if (finished_) return FailedPreconditionError("the write transaction has already ended");
    return Status::Ok();
  }

  static Status CheckType(const std::string& type) {
    if (!fhir::IsSupportedResourceType(type)) {
      return InvalidArgumentError("resource type \"" + type + "\" is not supported");
    }
    return Status::Ok();
  }

  static Status CheckId(const std::string& type, const std::string& id) {
    if (!IsValidId(id)) {
      return InvalidArgumentError("invalid id \"" + id.substr(0, 80) + "\" for " + type +
                                  ": 1 to 64 of A-Z a-z 0-9 - .");
    }
    return Status::Ok();
  }

  static Status CheckIfMatch(const std::string& type, const std::string& id,
                             const std::optional<CurrentRow>& current,
                             std::optional<int64_t> if_match) {
    if (!if_match) return Status::Ok();
    if (!current || current->version != *if_match) {
      return FailedPreconditionError(
          ResourceName(type, id) + " is at version " +
          (current ? std::to_string(current->version) : std::string("none")) +
          ", not the expected " + std::to_string(*if_match));
    }
    return Status::Ok();
  }

  // Version number and lastUpdated of the next version: lastUpdated is strictly later than the
  // previous version's even if the clock stood still or went back.
  NewVersion NextVersion(const std::string& type, const std::string& id,
                         const std::optional<CurrentRow>& current) {
    NewVersion version;
    version.type = type;
    version.id = id;
    int64_t now = impl_->NowMillis();
    if (current) {
      version.version = current->version + 1;
      StatusOr<int64_t> previous = fhir::ParseInstantMillis(current->last_updated);
      if (previous.ok()) now = std::max(now, *previous + 1);
    }
    version.last_updated = fhir::FormatInstantMillis(now);
    return version;
  }

  StatusOr<StoredResource> Write(const std::string& type, const std::string& id, Json resource,
                                 const std::optional<CurrentRow>& current, const char* method) {
    NewVersion version = NextVersion(type, id, current);
    version.method = method;
    DUET_ASSIGN_OR_RETURN(Json stamped, StampResource(std::move(resource), type, id,
                                                      version.version, version.last_updated));
    version.json = fhir::WriteJson(stamped);
    const fhir::SearchIndexRows rows =
        fhir::ExtractSearchIndexRows(stamped, fhir::SearchParameterRegistry::R4());
    DUET_RETURN_IF_ERROR(WriteVersionRows(impl_->writer(), current, version, rows));
    written_.emplace_back(type, id);
    return ToResult(version);
  }

  static StoredResource ToResult(const NewVersion& version) {
    StoredResource result;
    result.type = version.type;
    result.id = version.id;
    result.version_id = version.version;
    result.last_updated = version.last_updated;
    result.deleted = version.deleted;
    result.json = version.json;
    result.method = version.method;
    return result;
  }

  SqliteResourceStore::Impl* impl_;
  std::unique_lock<std::mutex> lock_;
  bool finished_ = false;
  std::vector<std::pair<std::string, std::string>> written_;  // type, id: for the read cache
};

}  // namespace

SqliteResourceStore::SqliteResourceStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteResourceStore::~SqliteResourceStore() = default;

StatusOr<std::unique_ptr<SqliteResourceStore>> SqliteResourceStore::Open(const std::string& path) {
  return Open(path, Options());
}

StatusOr<std::unique_ptr<SqliteResourceStore>> SqliteResourceStore::Open(const std::string& path,
                                                                         Options options) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return UnavailableError("cannot create store directory " + parent.string() + ": " +
                              error.message());
    }
  }
  auto impl = std::make_unique<Impl>(path, std::move(options));
  DUET_RETURN_IF_ERROR(impl->OpenWriter().WithContext("opening store " + path));
  return std::unique_ptr<SqliteResourceStore>(new SqliteResourceStore(std::move(impl)));
}

StatusOr<std::unique_ptr<WriteTransaction>> SqliteResourceStore::BeginWrite() {
  std::unique_lock<std::mutex> lock(impl_->write_mutex());
  DUET_RETURN_IF_ERROR(impl_->writer().Exec("BEGIN IMMEDIATE"));
  return std::unique_ptr<WriteTransaction>(
      new SqliteWriteTransaction(impl_.get(), std::move(lock)));
}

StatusOr<StoredResource> SqliteResourceStore::Read(const std::string& type, const std::string& id) {
  if (std::optional<StoredResource> cached = impl_->cache().Get(type, id)) return *cached;
  const uint64_t generation = impl_->cache().generation();
  DUET_ASSIGN_OR_RETURN(Impl::Reader reader, impl_->AcquireReader());
  StatusOr<StoredResource> current = ReadCurrentOn(*reader, type, id);
  if (current.ok()) impl_->cache().Put(*current, generation);
  return current;
}

StatusOr<StoredResource> SqliteResourceStore::ReadVersion(const std::string& type,
                                                          const std::string& id,
                                                          int64_t version_id) {
  DUET_ASSIGN_OR_RETURN(Impl::Reader reader, impl_->AcquireReader());
  return ReadVersionOn(*reader, type, id, version_id);
}

StatusOr<SearchResult> SqliteResourceStore::Search(const fhir::SearchQuery& query) {
  const int64_t now = impl_->NowMillis();
  return impl_->WithSnapshot<SearchResult>(
      [&](SqliteConnection& db) { return SearchOn(db, query, now); });
}

StatusOr<HistoryPage> SqliteResourceStore::History(const HistoryQuery& query) {
  return impl_->WithSnapshot<HistoryPage>(
      [&](SqliteConnection& db) { return HistoryOn(db, query); });
}

uint64_t SqliteResourceStore::WriteGeneration() const { return impl_->cache().generation(); }

Status SqliteResourceStore::CheckHealth() {
  DUET_RETURN_IF_ERROR(impl_->ProbeFile());
  DUET_ASSIGN_OR_RETURN(Impl::Reader reader, impl_->AcquireReader());
  DUET_ASSIGN_OR_RETURN(SqliteRows rows,
                        (*reader).Query({"SELECT MAX(version) FROM schema_version", {}}));
  DUET_ASSIGN_OR_RETURN(bool has_row, rows.Next());
  if (!has_row || rows.IsNull(0)) return UnavailableError("store schema is missing");
  return Status::Ok();
}

}  // namespace duet::gateway
