#include "gateway/store/sqlite_resource_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "tests/gateway/store/store_test_util.h"

namespace duet::gateway {
namespace {

using fhir::Json;
using testing::ManualClock;
using testing::MustOpen;
using testing::MustParseJson;
using testing::TempDir;

class SqliteResourceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteResourceStore::Options options;
    options.clock = clock_.AsFunction();
    store_ = MustOpen(dir_.File("store.db"), options);
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<WriteTransaction> Begin() {
    StatusOr<std::unique_ptr<WriteTransaction>> tx = store_->BeginWrite();
    EXPECT_TRUE(tx.ok()) << tx.status().ToString();
    return std::move(tx).value();
  }

  StoredResource CreateGoal(const std::string& id, const std::string& status = "active") {
    auto tx = Begin();
    StatusOr<StoredResource> created = tx->Create(
        "Goal", id,
        MustParseJson(R"({"resourceType":"Goal","lifecycleStatus":")" + status +
                      R"(","description":{"text":"walk"},"subject":{"reference":"Patient/p1"}})"));
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    EXPECT_TRUE(tx->Commit().ok());
    return created.ok() ? *created : StoredResource{};
  }

  int64_t MustQueryTotal(const std::string& type,
                         const std::vector<std::pair<std::string, std::string>>& params) {
    StatusOr<SearchResult> result = store_->Search(testing::MustQuery(type, params));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() && result->total ? *result->total : -1;
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<SqliteResourceStore> store_;
};

TEST_F(SqliteResourceStoreTest, CreateAssignsIdVersionAndLastUpdated) {
  auto tx = Begin();
  StatusOr<StoredResource> created = tx->Create(
      "Goal", "", MustParseJson(R"({"resourceType":"Goal","id":"ignored","lifecycleStatus":"active",
                        "meta":{"versionId":"7","profile":["http://x/p"],"tag":[{"code":"t"}]},
                        "description":{"text":"walk"},"subject":{"reference":"Patient/p1"}})"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_TRUE(tx->Commit().ok());
  EXPECT_EQ(created->id.size(), 36u);
  EXPECT_NE(created->id, "ignored");
  EXPECT_EQ(created->version_id, 1);
  EXPECT_EQ(created->last_updated, "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(created->method, "POST");
  const Json stored = MustParseJson(created->json);
  EXPECT_EQ(stored.StringOr("id"), created->id);
  const Json* meta = stored.Find("meta");
  ASSERT_NE(meta, nullptr);
  EXPECT_EQ(meta->StringOr("versionId"), "1");
  EXPECT_EQ(meta->StringOr("lastUpdated"), "2023-11-14T22:13:20.000Z");
  ASSERT_NE(meta->Find("profile"), nullptr);
  ASSERT_NE(meta->Find("tag"), nullptr);

  StatusOr<StoredResource> read = store_->Read("Goal", created->id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->json, created->json);  // the stored bytes, as written
  EXPECT_EQ(read->version_id, 1);
}

TEST_F(SqliteResourceStoreTest, GeneratedIdsDiffer) {
  EXPECT_NE(CreateGoal("").id, CreateGoal("").id);
}

TEST_F(SqliteResourceStoreTest, CreateRejectsTakenIdsBadIdsAndWrongTypes) {
  CreateGoal("g1");
  auto tx = Begin();
  const Json goal = MustParseJson(R"({"resourceType":"Goal","lifecycleStatus":"active"})");
  EXPECT_EQ(tx->Create("Goal", "g1", goal).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(tx->Create("Goal", "bad id!", goal).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tx->Create("Goal", std::string(65, 'a'), goal).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(tx->Create("CarePlan", "c1", goal).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tx->Create("Basic", "b1", goal).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tx->Create("Goal", "g2", Json::String("x")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(tx->Create("Goal", "g3", MustParseJson(R"({"resourceType":"Goal","meta":1})"))
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SqliteResourceStoreTest, UpdateMakesVersionsWithStrictlyIncreasingLastUpdated) {
  CreateGoal("g1");
  // The clock stands still: each version still gets a later lastUpdated.
  for (int i = 0; i < 3; ++i) {
    auto tx = Begin();
    StatusOr<StoredResource> updated = tx->Update(
        "Goal", "g1", MustParseJson(R"({"resourceType":"Goal","lifecycleStatus":"active"})"),
        std::nullopt);
    ASSERT_TRUE(updated.ok()) << updated.status().ToString();
    EXPECT_EQ(updated->version_id, i + 2);
    EXPECT_EQ(updated->method, "PUT");
    ASSERT_TRUE(tx->Commit().ok());
  }
  StatusOr<StoredResource> current = store_->Read("Goal", "g1");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->version_id, 4);
  EXPECT_EQ(current->last_updated, "2023-11-14T22:13:20.003Z");
  StatusOr<StoredResource> first = store_->ReadVersion("Goal", "g1", 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->last_updated, "2023-11-14T22:13:20.000Z");
  EXPECT_NE(first->json.find("\"walk\""), std::string::npos);
  EXPECT_EQ(store_->ReadVersion("Goal", "g1", 5).status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteResourceStoreTest, UpdateAsCreate) {
  auto tx = Begin();
  StatusOr<StoredResource> created = tx->Update(
      "Goal", "new-1", MustParseJson(R"({"resourceType":"Goal","lifecycleStatus":"proposed"})"),
      std::nullopt);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->version_id, 1);
  EXPECT_EQ(created->method, "PUT");
  ASSERT_TRUE(tx->Commit().ok());
  EXPECT_TRUE(store_->Read("Goal", "new-1").ok());
}

TEST_F(SqliteResourceStoreTest, IfMatchGuardsUpdateAndDelete) {
  CreateGoal("g1");
  auto tx = Begin();
  const Json goal = MustParseJson(R"({"resourceType":"Goal","lifecycleStatus":"active"})");
  EXPECT_EQ(tx->Update("Goal", "g1", goal, 2).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(tx->Update("Goal", "missing", goal, 1).status().code(),
            StatusCode::kFailedPrecondition);
  StatusOr<StoredResource> updated = tx->Update("Goal", "g1", goal, 1);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->version_id, 2);
  EXPECT_EQ(tx->Delete("Goal", "g1", 1).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(tx->Delete("Goal", "g1", 2).ok());
  ASSERT_TRUE(tx->Commit().ok());
}

TEST_F(SqliteResourceStoreTest, DeleteWritesTombstoneAndUpdateRevives) {
  CreateGoal("g1");
  {
    auto tx = Begin();
    EXPECT_EQ(tx->Delete("Goal", "never", std::nullopt).status().code(), StatusCode::kNotFound);
    StatusOr<StoredResource> deleted = tx->Delete("Goal", "g1", std::nullopt);
    ASSERT_TRUE(deleted.ok());
    EXPECT_TRUE(deleted->deleted);
    EXPECT_EQ(deleted->version_id, 2);
    EXPECT_EQ(deleted->method, "DELETE");
    EXPECT_TRUE(deleted->json.empty());
    // Deleting again returns the same tombstone.
    StatusOr<StoredResource> again = tx->Delete("Goal", "g1", std::nullopt);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->version_id, 2);
    ASSERT_TRUE(tx->Commit().ok());
  }
  StatusOr<StoredResource> read = store_->Read("Goal", "g1");
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->deleted);
  EXPECT_EQ(MustQueryTotal("Goal", {{"_id", "g1"}}), 0);
  {
    auto tx = Begin();
    EXPECT_EQ(tx->Create("Goal", "g1", MustParseJson(R"({"resourceType":"Goal"})")).status().code(),
              StatusCode::kAlreadyExists);
    StatusOr<StoredResource> revived = tx->Update(
        "Goal", "g1", MustParseJson(R"({"resourceType":"Goal","lifecycleStatus":"active"})"),
        std::nullopt);
    ASSERT_TRUE(revived.ok());
    EXPECT_EQ(revived->version_id, 3);
    EXPECT_FALSE(revived->deleted);
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(MustQueryTotal("Goal", {{"_id", "g1"}}), 1);
}

TEST_F(SqliteResourceStoreTest, UncommittedTransactionRollsBackAndSeesItsOwnWrites) {
  {
    auto tx = Begin();
    ASSERT_TRUE(tx->Create("Goal", "g1", MustParseJson(R"({"resourceType":"Goal"})")).ok());
    EXPECT_TRUE(tx->Read("Goal", "g1").ok());
    StatusOr<SearchResult> inside = tx->Search(testing::MustQuery("Goal", {{"_id", "g1"}}));
    ASSERT_TRUE(inside.ok());
    EXPECT_EQ(inside->matches.size(), 1u);
    // Readers outside see only committed state.
    EXPECT_EQ(store_->Read("Goal", "g1").status().code(), StatusCode::kNotFound);
  }  // destroyed without Commit
  EXPECT_EQ(store_->Read("Goal", "g1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->History({"Goal", "g1", "", 10, ""}).status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteResourceStoreTest, FailedWriteLeavesTheTransactionUsable) {
  auto tx = Begin();
  ASSERT_TRUE(tx->Create("Goal", "g1", MustParseJson(R"({"resourceType":"Goal"})")).ok());
  EXPECT_FALSE(tx->Create("Goal", "g2", MustParseJson(R"({"resourceType":"CarePlan"})")).ok());
  ASSERT_TRUE(tx->Create("Goal", "g3", MustParseJson(R"({"resourceType":"Goal"})")).ok());
  ASSERT_TRUE(tx->Commit().ok());
  EXPECT_TRUE(store_->Read("Goal", "g1").ok());
  EXPECT_EQ(store_->Read("Goal", "g2").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->Read("Goal", "g3").ok());
  EXPECT_EQ(tx->Commit().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SqliteResourceStoreTest, HistoryNewestFirstWithSinceAndCursor) {
  CreateGoal("g1");
  clock_.now->fetch_add(60000);
  CreateGoal("g2");
  clock_.now->fetch_add(60000);
  {
    auto tx = Begin();
    ASSERT_TRUE(tx->Delete("Goal", "g1", std::nullopt).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  StatusOr<HistoryPage> instance = store_->History({"Goal", "g1", "", 10, ""});
  ASSERT_TRUE(instance.ok());
  ASSERT_EQ(instance->versions.size(), 2u);
  EXPECT_TRUE(instance->versions[0].deleted);
  EXPECT_EQ(instance->versions[0].method, "DELETE");
  EXPECT_EQ(instance->versions[1].version_id, 1);
  EXPECT_EQ(instance->total, 2);

  StatusOr<HistoryPage> type = store_->History({"Goal", "", "", 2, ""});
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(type->total, 3);
  ASSERT_EQ(type->versions.size(), 2u);
  EXPECT_EQ(type->versions[0].id, "g1");
  EXPECT_EQ(type->versions[1].id, "g2");
  ASSERT_FALSE(type->next_cursor.empty());
  StatusOr<HistoryPage> next = store_->History({"Goal", "", "", 2, type->next_cursor});
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->versions.size(), 1u);
  EXPECT_EQ(next->versions[0].id, "g1");
  EXPECT_EQ(next->versions[0].version_id, 1);
  EXPECT_TRUE(next->next_cursor.empty());

  StatusOr<HistoryPage> since = store_->History({"", "", "2023-11-14T22:14:20Z", 10, ""});
  ASSERT_TRUE(since.ok());
  EXPECT_EQ(since->total, 2);
  EXPECT_EQ(store_->History({"", "", "yesterday", 10, ""}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->History({"", "", "", 10, "garbage!"}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(SqliteResourceStoreTest, ReopenKeepsEverythingCommitted) {
  const std::string path = dir_.File("durable/nested/store.db");
  {
    auto store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    auto tx = std::move(store->BeginWrite()).value();
    ASSERT_TRUE(tx->Create("Patient", "p1",
                           MustParseJson(R"({"resourceType":"Patient","gender":"female"})"))
                    .ok());
    ASSERT_TRUE(tx->Commit().ok());
    auto uncommitted = std::move(store->BeginWrite()).value();
    ASSERT_TRUE(
        uncommitted->Create("Patient", "p2", MustParseJson(R"({"resourceType":"Patient"})")).ok());
  }
  auto reopened = MustOpen(path);
  ASSERT_NE(reopened, nullptr);
  EXPECT_TRUE(reopened->CheckHealth().ok());
  StatusOr<StoredResource> p1 = reopened->Read("Patient", "p1");
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(p1->version_id, 1);
  EXPECT_EQ(reopened->Read("Patient", "p2").status().code(), StatusCode::kNotFound);
  StatusOr<SearchResult> found =
      reopened->Search(testing::MustQuery("Patient", {{"gender", "female"}}));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->total, 1);
}

TEST(SqliteResourceStoreOpenTest, RejectsNewerSchemaAndUnopenablePaths) {
  TempDir dir;
  const std::string path = dir.File("store.db");
  {
    auto store = MustOpen(path);
    ASSERT_NE(store, nullptr);
  }
  {
    // Simulate a database written by a future build.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_version (version) VALUES (99)", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  StatusOr<std::unique_ptr<SqliteResourceStore>> newer = SqliteResourceStore::Open(path);
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(newer.status().message().find("99"), std::string::npos);
  EXPECT_FALSE(SqliteResourceStore::Open("/proc/duet-cannot-write-here/store.db").ok());
}

}  // namespace
}  // namespace duet::gateway
