// ReplayCache: remembers every client assertion's `jti` until the assertion expires, so a
// captured assertion cannot be used twice, also across restarts (the SQLite implementation is
// gateway/store/sqlite_replay_cache.h). Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "fhir/status.h"

namespace duet::gateway {

class ReplayCache {
 public:
  virtual ~ReplayCache() = default;
  // Records (client, jti) until `expires_at`; false when it was already recorded. Forgets
  // entries that expired before `now`.
  virtual StatusOr<bool> Remember(const std::string& client_id, const std::string& jti,
                                  int64_t expires_at, int64_t now) = 0;
};

}  // namespace duet::gateway
