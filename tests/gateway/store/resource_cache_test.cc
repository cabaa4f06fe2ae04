#include "gateway/store/resource_cache.h"

#include <gtest/gtest.h>

namespace duet::gateway {
namespace {

StoredResource Resource(const std::string& id, int64_t version, size_t json_bytes = 100) {
  StoredResource resource;
  resource.type = "CarePlan";
  resource.id = id;
  resource.version_id = version;
  resource.json = std::string(json_bytes, 'x');
  return resource;
}

TEST(ResourceCacheTest, ReturnsWhatWasPut) {
  ResourceCache cache(1 << 20);
  EXPECT_FALSE(cache.Get("CarePlan", "a"));
  cache.Put(Resource("a", 1), cache.generation());
  auto hit = cache.Get("CarePlan", "a");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->version_id, 1);
  EXPECT_FALSE(cache.Get("Goal", "a"));
}

TEST(ResourceCacheTest, RefusesAnEntryReadBeforeAWriteWasInvalidated) {
  ResourceCache cache(1 << 20);
  uint64_t before_read = cache.generation();
  cache.Invalidate("CarePlan", "a");  // a writer committed version 2 meanwhile
  cache.Put(Resource("a", 1), before_read);
  EXPECT_FALSE(cache.Get("CarePlan", "a")) << "version 1 would be stale";
}

TEST(ResourceCacheTest, InvalidateDropsTheEntry) {
  ResourceCache cache(1 << 20);
  cache.Put(Resource("a", 1), cache.generation());
  cache.Invalidate("CarePlan", "a");
  EXPECT_FALSE(cache.Get("CarePlan", "a"));
  EXPECT_EQ(cache.size_bytes(), 0u);
}

TEST(ResourceCacheTest, EvictsTheLeastRecentlyUsedPastCapacity) {
  ResourceCache cache(4000);
  for (int i = 0; i < 3; ++i) cache.Put(Resource(std::to_string(i), 1, 900), cache.generation());
  ASSERT_TRUE(cache.Get("CarePlan", "0"));  // 0 is now the most recently used
  cache.Put(Resource("3", 1, 900), cache.generation());
  cache.Put(Resource("4", 1, 900), cache.generation());
  EXPECT_TRUE(cache.Get("CarePlan", "0"));
  EXPECT_FALSE(cache.Get("CarePlan", "1"));
  EXPECT_LE(cache.size_bytes(), 4000u);
}

TEST(ResourceCacheTest, ZeroCapacityCachesNothing) {
  ResourceCache cache(0);
  cache.Put(Resource("a", 1), cache.generation());
  EXPECT_FALSE(cache.Get("CarePlan", "a"));
}

}  // namespace
}  // namespace duet::gateway
