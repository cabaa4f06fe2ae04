// ReadEntitiesCache: what the answer of a read names for its audit record (the resources and the
// patients of AddAuditEntitiesFromBody), remembered per version read, so that reading the same
// version again does not parse the answer again. The key must name exactly that answer: type,
// id, the version's ETag and the read's query (as AuditedFhirApi builds it); a version never
// changes, so a hit is exact. Bounded: when full, it is emptied and starts again.
//
// Owned by AuditedFhirApi. Thread-safe: request threads share it (readers share the lock).
#pragma once

#include <cstddef>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace duet::gateway {

class ReadEntitiesCache {
 public:
  struct Entities {
    std::vector<std::string> resources;  // "Type/id"
    std::vector<std::string> patients;   // patient ids
  };

  explicit ReadEntitiesCache(size_t capacity = 50000) : capacity_(capacity) {}

  // What `body` names, from the cache under `key` or parsed (and then remembered).
  Entities For(const std::string& key, std::string_view body);

  size_t size() const;

 private:
  const size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entities> entries_;
};

}  // namespace duet::gateway
