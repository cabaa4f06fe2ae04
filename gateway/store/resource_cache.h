// ResourceCache: a bounded cache of the current version of recently read resources, so that hot
// reads skip SQLite (a statement, its file locks and a copy) entirely.
//
// Consistency: a store reads `generation()` before it reads a resource from the database and
// passes it to Put, which refuses the entry if any write was invalidated in between; a write
// transaction invalidates every resource it wrote after it commits, before Commit returns. So a
// reader may see the previous version only while the writer's commit is still returning, never
// after. Owned by the store; thread-safe: any thread may call any method.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "gateway/store/resource_store.h"

namespace duet::gateway {

class ResourceCache {
 public:
  // `capacity_bytes` bounds the JSON held (0 disables the cache).
  explicit ResourceCache(size_t capacity_bytes);

  uint64_t generation() const;
  std::optional<StoredResource> Get(const std::string& type, const std::string& id);
  void Put(const StoredResource& resource, uint64_t generation_before_read);
  void Invalidate(const std::string& type, const std::string& id);

  size_t size_bytes() const;

 private:
  using Lru = std::list<StoredResource>;  // most recently used first

  static std::string Key(const std::string& type, const std::string& id);
  void EvictOverCapacity();

  const size_t capacity_bytes_;
  mutable std::mutex mutex_;
  uint64_t generation_ = 0;
  size_t bytes_ = 0;
  Lru lru_;
  std::unordered_map<std::string, Lru::iterator> index_;
};

}  // namespace duet::gateway
