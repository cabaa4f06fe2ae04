#include "gateway/store/sqlite_replay_cache.h"

#include "gateway/store/sqlite_connection.h"

namespace duet::gateway {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS auth_jti (
  client_id TEXT NOT NULL,
  jti TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (client_id, jti)
);
CREATE INDEX IF NOT EXISTS auth_jti_expiry ON auth_jti (expires_at);
)sql";

}  // namespace

StatusOr<std::unique_ptr<SqliteReplayCache>> SqliteReplayCache::Open(const std::string& path) {
  DUET_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> db,
                        SqliteConnection::Open(path, SqliteConnection::Options{}));
  DUET_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"));
  DUET_RETURN_IF_ERROR(db->Exec(kSchema));
  return std::unique_ptr<SqliteReplayCache>(new SqliteReplayCache(std::move(db)));
}

SqliteReplayCache::SqliteReplayCache(std::unique_ptr<SqliteConnection> db) : db_(std::move(db)) {}
SqliteReplayCache::~SqliteReplayCache() = default;

StatusOr<bool> SqliteReplayCache::Remember(const std::string& client_id, const std::string& jti,
                                           int64_t expires_at, int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  DUET_RETURN_IF_ERROR(db_->Run({"DELETE FROM auth_jti WHERE expires_at < ?", {now}}));
  DUET_RETURN_IF_ERROR(
      db_->Run({"INSERT OR IGNORE INTO auth_jti (client_id, jti, expires_at) VALUES (?, ?, ?)",
                {client_id, jti, expires_at}}));
  return db_->changes() == 1;
}

}  // namespace duet::gateway
