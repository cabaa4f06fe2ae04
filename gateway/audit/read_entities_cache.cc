#include "gateway/audit/read_entities_cache.h"

#include <mutex>
#include <utility>

#include "gateway/audit/audit_entities.h"

namespace duet::gateway {

ReadEntitiesCache::Entities ReadEntitiesCache::For(const std::string& key, std::string_view body) {
  {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    auto found = entries_.find(key);
    if (found != entries_.end()) return found->second;
  }
  AuditRecord parsed;
  AddAuditEntitiesFromBody(parsed, body);
  Entities entities{std::move(parsed.resources), std::move(parsed.patients)};
  std::unique_lock<std::shared_mutex> lock(mutex_);
  if (entries_.size() >= capacity_) entries_.clear();
  entries_.emplace(key, entities);
  return entities;
}

size_t ReadEntitiesCache::size() const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace duet::gateway
