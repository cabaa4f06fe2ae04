// SqliteResourceStore::CheckHealth reaches the database file, not only a cached connection.
#include <gtest/gtest.h>

#include <filesystem>

#include "gateway/store/sqlite_resource_store.h"
#include "tests/gateway/store/store_test_util.h"

namespace duet::gateway {
namespace {

using testing::MustOpen;
using testing::MustParseJson;
using testing::TempDir;

void WriteOnePatient(SqliteResourceStore& store) {
  auto write = store.BeginWrite();
  ASSERT_TRUE(write.ok()) << write.status().ToString();
  ASSERT_TRUE(
      (*write)->Create("Patient", "p1", MustParseJson(R"({"resourceType":"Patient"})")).ok());
  ASSERT_TRUE((*write)->Commit().ok());
}

TEST(StoreHealthTest, HealthyWhenTheFileIsThere) {
  TempDir dir;
  auto store = MustOpen(dir.File("duet.db"));
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->CheckHealth().ok());
}

TEST(StoreHealthTest, UnhealthyWhileTheFileIsGoneAndHealthyWhenItIsBack) {
  TempDir dir;
  auto store = MustOpen(dir.File("duet.db"));
  ASSERT_NE(store, nullptr);
  WriteOnePatient(*store);
  ASSERT_TRUE(store->CheckHealth().ok());  // the pool has a reader connection open now
  std::filesystem::rename(dir.File("duet.db"), dir.File("moved.db"));
  Status gone = store->CheckHealth();
  EXPECT_EQ(gone.code(), StatusCode::kUnavailable) << gone.ToString();
  EXPECT_FALSE(std::filesystem::exists(dir.File("duet.db")));  // the check made no new file
  std::filesystem::rename(dir.File("moved.db"), dir.File("duet.db"));
  EXPECT_TRUE(store->CheckHealth().ok());
  EXPECT_TRUE(store->Read("Patient", "p1").ok());
}

TEST(StoreHealthTest, UnhealthyWhenTheFileWasReplaced) {
  TempDir dir;
  auto store = MustOpen(dir.File("duet.db"));
  ASSERT_NE(store, nullptr);
  {
    auto other = MustOpen(dir.File("other.db"));
    ASSERT_NE(other, nullptr);
  }
  std::filesystem::rename(dir.File("other.db"), dir.File("duet.db"));
  Status replaced = store->CheckHealth();
  EXPECT_EQ(replaced.code(), StatusCode::kUnavailable);
  EXPECT_NE(replaced.message().find("replaced"), std::string::npos) << replaced.message();
}

}  // namespace
}  // namespace duet::gateway
