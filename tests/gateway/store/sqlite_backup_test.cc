// Online backups of the SQLite store: what a copy holds, consistency while another connection
// writes, and the refusals (existing target, missing store, not a store, a damaged copy).
#include "gateway/store/sqlite_backup.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "gateway/store/sqlite_sync_state_store.h"
#include "tests/gateway/store/store_test_util.h"

namespace duet::gateway {
namespace {

namespace fs = std::filesystem;
using testing::MustOpen;
using testing::MustParseJson;
using testing::QueryNumber;
using testing::TempDir;

fhir::Json PatientJson(const std::string& family) {
  return MustParseJson(R"({"resourceType":"Patient","name":[{"family":")" + family + R"("}]})");
}

void WritePatients(SqliteResourceStore& store, const std::vector<std::string>& ids) {
  auto tx = store.BeginWrite();
  ASSERT_TRUE(tx.ok()) << tx.status().ToString();
  for (const std::string& id : ids) {
    ASSERT_TRUE((*tx)->Update("Patient", id, PatientJson(id), std::nullopt).ok());
  }
  ASSERT_TRUE((*tx)->Commit().ok());
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Names in the directory other than `keep` (leftover temporary files, -wal, -journal).
std::vector<std::string> OtherFiles(const std::string& directory,
                                    const std::set<std::string>& keep) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (keep.count(name) == 0) names.push_back(name);
  }
  return names;
}

TEST(SqliteBackupTest, CopyHoldsEveryCommittedResourceAndStandsAlone) {
  TempDir store_dir;
  TempDir backup_dir;
  auto store = MustOpen(store_dir.File("duet.db"));
  ASSERT_NE(store, nullptr);
  WritePatients(*store, {"p-1", "p-2", "p-3"});
  WritePatients(*store, {"p-1"});  // a second version
  {
    auto tx = store->BeginWrite();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE((*tx)->Delete("Patient", "p-3", std::nullopt).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }

  // The store stays open: recent commits may still be in its -wal file only.
  const std::string copy = backup_dir.File("copy.db");
  StatusOr<StoreFileFacts> facts = BackUpSqliteStore(store_dir.File("duet.db"), copy);
  ASSERT_TRUE(facts.ok()) << facts.status().ToString();
  EXPECT_EQ(facts->schema_version, SqliteResourceStore::kSchemaVersion);
  EXPECT_EQ(facts->current_resources, 2);
  EXPECT_EQ(facts->history_versions, 5);
  EXPECT_EQ(facts->bytes, static_cast<int64_t>(fs::file_size(copy)));

  struct stat info {};
  ASSERT_EQ(::stat(copy.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u) << "the copy holds patient data";
  EXPECT_EQ(OtherFiles(backup_dir.File(""), {"copy.db"}), std::vector<std::string>{});

  // Moved away from the store, the copy is the whole store.
  store.reset();
  const std::string restored = backup_dir.File("restored.db");
  fs::copy_file(copy, restored);
  auto reopened = MustOpen(restored);
  ASSERT_NE(reopened, nullptr);
  auto p1 = reopened->Read("Patient", "p-1");
  ASSERT_TRUE(p1.ok()) << p1.status().ToString();
  EXPECT_EQ(p1->version_id, 2);
  EXPECT_TRUE(reopened->Read("Patient", "p-2").ok());
  auto p3 = reopened->Read("Patient", "p-3");
  ASSERT_TRUE(p3.ok()) << p3.status().ToString();
  EXPECT_TRUE(p3->deleted);
  EXPECT_EQ(p3->version_id, 2);
}

// Space the store freed (here: a scratch table of 4 MB, dropped, as deleted audit records free
// theirs) is not carried into the backup, so restoring a backup gives it back.
TEST(SqliteBackupTest, CopiesLeaveFreedPagesBehind) {
  TempDir store_dir;
  TempDir backup_dir;
  const std::string path = store_dir.File("duet.db");
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  WritePatients(*store, {"p-1", "p-2"});
  {
    auto db = SqliteConnection::Open(path, SqliteConnection::Options{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Exec("CREATE TABLE scratch(data BLOB)").ok());
    ASSERT_TRUE(
        (*db)
            ->Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
                   "INSERT INTO scratch SELECT randomblob(4096) FROM n")
            .ok());
    ASSERT_TRUE((*db)->Exec("DROP TABLE scratch").ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  }
  const int64_t page_size = QueryNumber(path, "PRAGMA page_size");
  ASSERT_GT(QueryNumber(path, "PRAGMA freelist_count") * page_size, 4000000);

  const std::string copy = backup_dir.File("copy.db");
  StatusOr<StoreFileFacts> facts = BackUpSqliteStore(path, copy);
  ASSERT_TRUE(facts.ok()) << facts.status().ToString();
  EXPECT_EQ(QueryNumber(copy, "PRAGMA freelist_count"), 0);
  EXPECT_LT(facts->bytes, 1000000) << "the store file is " << fs::file_size(path) << " bytes";
  EXPECT_EQ(facts->current_resources, 2);
  store.reset();
  auto reopened = MustOpen(copy);
  ASSERT_NE(reopened, nullptr);
  EXPECT_TRUE(reopened->Read("Patient", "p-2").ok());
}

TEST(SqliteBackupTest, CopiesAreConsistentWhileAnotherConnectionWrites) {
  TempDir store_dir;
  TempDir backup_dir;
  auto store = MustOpen(store_dir.File("duet.db"));
  ASSERT_NE(store, nullptr);
  WritePatients(*store, {"a-0", "b-0"});
  std::atomic<bool> stop{false};
  std::atomic<int> pairs{1};
  // Each transaction writes a pair: a copy with one of a pair but not the other is torn.
  std::thread writer([&] {
    for (int i = 1; !stop.load(); ++i) {
      WritePatients(*store, {"a-" + std::to_string(i), "b-" + std::to_string(i)});
      pairs = i + 1;
    }
  });
  for (int round = 0; round < 5; ++round) {
    while (pairs.load() < (round + 1) * 20) std::this_thread::yield();
    const std::string copy = backup_dir.File("copy-" + std::to_string(round) + ".db");
    StatusOr<StoreFileFacts> facts = BackUpSqliteStore(store_dir.File("duet.db"), copy);
    ASSERT_TRUE(facts.ok()) << facts.status().ToString();
    EXPECT_EQ(facts->current_resources % 2, 0) << "round " << round;
    EXPECT_GE(facts->current_resources, 2 * (round + 1) * 20);
    auto copied = MustOpen(copy, {});
    ASSERT_NE(copied, nullptr);
    const int64_t copied_pairs = facts->current_resources / 2;
    EXPECT_TRUE(copied->Read("Patient", "b-" + std::to_string(copied_pairs - 1)).ok());
    EXPECT_EQ(copied->Read("Patient", "a-" + std::to_string(copied_pairs)).status().code(),
              StatusCode::kNotFound);
  }
  stop = true;
  writer.join();
}

TEST(SqliteBackupTest, NeverOverwritesAnExistingFile) {
  TempDir dir;
  auto store = MustOpen(dir.File("duet.db"));
  ASSERT_NE(store, nullptr);
  WritePatients(*store, {"p-1"});
  const std::string existing = dir.File("backup.db");
  { std::ofstream(existing) << "yesterday's backup"; }

  StatusOr<StoreFileFacts> facts = BackUpSqliteStore(dir.File("duet.db"), existing);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(facts.status().message().find(existing), std::string::npos);
  EXPECT_EQ(ReadAll(existing), "yesterday's backup");

  // A dangling symbolic link is a name taken, too.
  const std::string link = dir.File("link.db");
  fs::create_symlink(dir.File("nowhere.db"), link);
  EXPECT_EQ(BackUpSqliteStore(dir.File("duet.db"), link).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_FALSE(fs::exists(dir.File("nowhere.db")));
}

TEST(SqliteBackupTest, AMissingStoreIsNotFoundAndLeavesNoFile) {
  TempDir dir;
  const std::string copy = dir.File("copy.db");
  StatusOr<StoreFileFacts> facts = BackUpSqliteStore(dir.File("absent.db"), copy);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(facts.status().message(), "no store file at " + dir.File("absent.db"));
  EXPECT_FALSE(fs::exists(copy));
  EXPECT_FALSE(fs::exists(dir.File("absent.db"))) << "the backup must not create a store";

  EXPECT_EQ(BackUpSqliteStore(":memory:", copy).status().code(), StatusCode::kInvalidArgument);
}

TEST(SqliteBackupTest, AMissingTargetDirectoryIsNotFound) {
  TempDir dir;
  auto store = MustOpen(dir.File("duet.db"));
  ASSERT_NE(store, nullptr);
  StatusOr<StoreFileFacts> facts =
      BackUpSqliteStore(dir.File("duet.db"), dir.File("no-such-dir/copy.db"));
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.status().code(), StatusCode::kNotFound);
  EXPECT_NE(facts.status().message().find("no-such-dir"), std::string::npos);
}

TEST(SqliteBackupTest, RefusesAFileThatIsNotADuetStoreAndRemovesTheCopy) {
  TempDir dir;
  TempDir backup_dir;
  ASSERT_TRUE(SqliteSyncStateStore::Open(dir.File("other.db")).ok());  // sync tables only
  StatusOr<StoreFileFacts> facts =
      BackUpSqliteStore(dir.File("other.db"), backup_dir.File("copy.db"));
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(facts.status().message().find("not a Duet store"), std::string::npos);
  EXPECT_EQ(OtherFiles(backup_dir.File(""), {}), std::vector<std::string>{});
}

TEST(SqliteBackupTest, CheckFindsADamagedFile) {
  TempDir dir;
  {
    auto store = MustOpen(dir.File("duet.db"));
    ASSERT_NE(store, nullptr);
    std::vector<std::string> ids;
    for (int i = 0; i < 200; ++i) ids.push_back("p-" + std::to_string(i));
    WritePatients(*store, ids);
  }
  const std::string copy = dir.File("copy.db");
  ASSERT_TRUE(BackUpSqliteStore(dir.File("duet.db"), copy).ok());
  StatusOr<StoreFileFacts> intact = CheckSqliteStoreFile(copy);
  ASSERT_TRUE(intact.ok()) << intact.status().ToString();
  EXPECT_EQ(intact->current_resources, 200);

  // Everything after the first page (the schema) becomes garbage.
  std::string bytes = ReadAll(copy);
  ASSERT_GT(bytes.size(), 8192u);
  for (size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5);
  { std::ofstream(copy, std::ios::binary | std::ios::trunc) << bytes; }
  StatusOr<StoreFileFacts> damaged = CheckSqliteStoreFile(copy);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), StatusCode::kInternal) << damaged.status().ToString();

  EXPECT_EQ(CheckSqliteStoreFile(dir.File("absent.db")).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace duet::gateway
