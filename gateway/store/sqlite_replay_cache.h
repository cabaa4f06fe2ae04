// SqliteReplayCache: the ReplayCache in the gateway's SQLite file (table auth_jti), so replay
// protection survives a restart. Its own connection, used under a lock; thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "gateway/auth/replay_cache.h"

namespace duet::gateway {

class SqliteConnection;

class SqliteReplayCache : public ReplayCache {
 public:
  static StatusOr<std::unique_ptr<SqliteReplayCache>> Open(const std::string& path);
  ~SqliteReplayCache() override;

  StatusOr<bool> Remember(const std::string& client_id, const std::string& jti, int64_t expires_at,
                          int64_t now) override;

 private:
  explicit SqliteReplayCache(std::unique_ptr<SqliteConnection> db);

  std::mutex mutex_;
  std::unique_ptr<SqliteConnection> db_;
};

}  // namespace duet::gateway
