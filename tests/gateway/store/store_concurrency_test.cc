// Concurrency of the SQLite store: conditional creates racing on one identifier, and readers
// running while a write transaction is open.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "gateway/store/sqlite_resource_store.h"
#include "tests/gateway/store/store_test_util.h"

namespace duet::gateway {
namespace {

using testing::MustOpen;
using testing::MustParseJson;
using testing::MustQuery;
using testing::TempDir;

TEST(StoreConcurrencyTest, ConditionalCreateRacesMakeExactlyOneResource) {
  TempDir dir;
  auto store = MustOpen(dir.File("race.db"));
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 32;
  std::atomic<int> created{0};
  std::atomic<int> failures{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      StatusOr<std::unique_ptr<WriteTransaction>> tx = store->BeginWrite();
      if (!tx.ok()) {
        ++failures;
        return;
      }
      StatusOr<SearchResult> existing =
          (*tx)->Search(MustQuery("Patient", {{"identifier", "urn:mrn|42"}}));
      if (!existing.ok()) {
        ++failures;
        return;
      }
      if (existing->total == 0) {
        if (!(*tx)
                 ->Create("Patient", "", MustParseJson(R"({"resourceType":"Patient","identifier":[
                               {"system":"urn:mrn","value":"42"}]})"))
                 .ok()) {
          ++failures;
          return;
        }
        ++created;
      }
      if (!(*tx)->Commit().ok()) ++failures;
    });
  }
  go = true;
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(created.load(), 1);
  StatusOr<SearchResult> all = store->Search(MustQuery("Patient", {{"identifier", "42"}}));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 1);
}

TEST(StoreConcurrencyTest, ReadersProceedWhileAWriteTransactionIsOpen) {
  TempDir dir;
  auto store = MustOpen(dir.File("readers.db"));
  ASSERT_NE(store, nullptr);
  {
    auto tx = std::move(store->BeginWrite()).value();
    ASSERT_TRUE(tx->Create("Goal", "g1",
                           MustParseJson(R"({"resourceType":"Goal","lifecycleStatus":"active"})"))
                    .ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto open_tx = std::move(store->BeginWrite()).value();
  ASSERT_TRUE(
      open_tx
          ->Update("Goal", "g1",
                   MustParseJson(R"({"resourceType":"Goal","lifecycleStatus":"cancelled"})"),
                   std::nullopt)
          .ok());
  // With the writer holding its transaction, 8 concurrent readers complete and see the last
  // committed version.
  std::vector<std::future<bool>> readers;
  for (int i = 0; i < 8; ++i) {
    readers.push_back(std::async(std::launch::async, [&] {
      for (int j = 0; j < 20; ++j) {
        StatusOr<StoredResource> read = store->Read("Goal", "g1");
        StatusOr<SearchResult> search =
            store->Search(MustQuery("Goal", {{"lifecycle-status", "active"}}));
        if (!read.ok() || read->version_id != 1 || !search.ok() || search->total != 1) {
          return false;
        }
      }
      return true;
    }));
  }
  for (auto& reader : readers) {
    ASSERT_EQ(reader.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_TRUE(reader.get());
  }
  EXPECT_TRUE(store->CheckHealth().ok());
  ASSERT_TRUE(open_tx->Commit().ok());
  EXPECT_EQ(store->Read("Goal", "g1")->version_id, 2);
}

TEST(StoreConcurrencyTest, BeginWriteWaitsForTheOpenTransaction) {
  TempDir dir;
  auto store = MustOpen(dir.File("serial.db"));
  ASSERT_NE(store, nullptr);
  auto first = std::move(store->BeginWrite()).value();
  std::atomic<bool> second_started{false};
  std::thread second([&] {
    auto tx = std::move(store->BeginWrite()).value();
    second_started = true;
    EXPECT_TRUE(tx->Read("Goal", "g1").ok());  // sees the first transaction's commit
    EXPECT_TRUE(tx->Commit().ok());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(second_started.load());
  ASSERT_TRUE(first->Create("Goal", "g1", MustParseJson(R"({"resourceType":"Goal"})")).ok());
  ASSERT_TRUE(first->Commit().ok());
  second.join();
  EXPECT_TRUE(second_started.load());
}

}  // namespace
}  // namespace duet::gateway
