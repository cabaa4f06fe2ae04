#include "gateway/store/resource_cache.h"

namespace duet::gateway {
namespace {

size_t Cost(const StoredResource& resource) {
  return resource.json.size() + resource.type.size() + resource.id.size() + 64;
}

}  // namespace

ResourceCache::ResourceCache(size_t capacity_bytes) : capacity_bytes_(capacity_bytes) {}

std::string ResourceCache::Key(const std::string& type, const std::string& id) {
  std::string key;
  key.reserve(type.size() + id.size() + 1);
  key += type;
  key += '/';
  key += id;
  return key;
}

uint64_t ResourceCache::generation() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return generation_;
}

std::optional<StoredResource> ResourceCache::Get(const std::string& type, const std::string& id) {
  if (capacity_bytes_ == 0) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = index_.find(Key(type, id));
  if (found == index_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, found->second);
  return *found->second;
}

void ResourceCache::Put(const StoredResource& resource, uint64_t generation_before_read) {
  if (capacity_bytes_ == 0 || Cost(resource) > capacity_bytes_ / 4) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (generation_ != generation_before_read) return;  // a write may have made it stale
  std::string key = Key(resource.type, resource.id);
  auto found = index_.find(key);
  if (found != index_.end()) {
    bytes_ -= Cost(*found->second);
    lru_.erase(found->second);
    index_.erase(found);
  }
  lru_.push_front(resource);
  bytes_ += Cost(resource);
  index_.emplace(std::move(key), lru_.begin());
  EvictOverCapacity();
}

void ResourceCache::Invalidate(const std::string& type, const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++generation_;
  auto found = index_.find(Key(type, id));
  if (found == index_.end()) return;
  bytes_ -= Cost(*found->second);
  lru_.erase(found->second);
  index_.erase(found);
}

size_t ResourceCache::size_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_;
}

void ResourceCache::EvictOverCapacity() {
  while (bytes_ > capacity_bytes_ && !lru_.empty()) {
    const StoredResource& oldest = lru_.back();
    bytes_ -= Cost(oldest);
    index_.erase(Key(oldest.type, oldest.id));
    lru_.pop_back();
  }
}

}  // namespace duet::gateway
