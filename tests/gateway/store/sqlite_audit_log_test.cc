#include "gateway/store/sqlite_audit_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gateway/store/forwarding_resource_store.h"
#include "tests/gateway/store/store_test_util.h"
#include "tests/support/captured_log.h"

namespace duet::gateway {
namespace {

using testing::MustOpen;
using testing::MustParseJson;
using testing::TempDir;

AuditRecord Record(const std::string& client, const std::string& interaction,
                   std::vector<std::string> patients, int64_t recorded_ms, int outcome = 0) {
  AuditRecord record;
  record.id = NewAuditId();
  record.recorded_ms = recorded_ms;
  record.agent = {"client", client, "1620193841"};
  record.remote_address = "127.0.0.1";
  record.interaction = interaction;
  record.resource_type = "CarePlan";
  record.http_status = outcome == 0 ? 200 : 404;
  record.outcome = outcome;
  record.patients = std::move(patients);
  for (const std::string& patient : record.patients)
    record.resources.push_back("Patient/" + patient);
  return record;
}

class SqliteAuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    db_.log.reset();  // commits what is queued, then stops the writer
    db_.store.reset();
    db_ = testing::MustOpenWithAudit(dir_.File("duet.db"));
    ASSERT_TRUE(db_.store && db_.log);
  }
  // The ids of the events a query finds, newest first.
  std::vector<std::string> Ids(AuditQuery query) {
    auto page = db_.log->Query(query);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> ids;
    if (!page.ok()) return ids;
    for (const std::string& text : page->events) {
      ids.emplace_back(MustParseJson(text).StringOr("id"));
    }
    return ids;
  }

  TempDir dir_;
  testing::StoreWithAudit db_;
};

TEST_F(SqliteAuditLogTest, FindsRecordsByEachFieldNewestFirst) {
  AuditRecord a = Record("evim", "read", {"p1"}, 1000);
  AuditRecord b = Record("neuro", "search-type", {"p1", "p2"}, 2000);
  AuditRecord c = Record("evim", "read", {"p3"}, 3000, 4);
  for (const AuditRecord* record : {&a, &b, &c}) ASSERT_TRUE(db_.log->Record(*record).ok());

  EXPECT_EQ(Ids({}), (std::vector<std::string>{c.id, b.id, a.id}));
  AuditQuery query;
  query.patient = "p1";
  EXPECT_EQ(Ids(query), (std::vector<std::string>{b.id, a.id}));
  query = {};
  query.client = "evim";
  EXPECT_EQ(Ids(query), (std::vector<std::string>{c.id, a.id}));
  query = {};
  query.interaction = "search-type";
  EXPECT_EQ(Ids(query), (std::vector<std::string>{b.id}));
  query = {};
  query.outcome = 4;
  EXPECT_EQ(Ids(query), (std::vector<std::string>{c.id}));
  query = {};
  query.since_ms = 2000;
  query.until_ms = 3000;
  EXPECT_EQ(Ids(query), (std::vector<std::string>{b.id}));

  query = {};
  query.count = 2;
  auto first = db_.log->Query(query);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->total, 3);
  ASSERT_NE(first->next_cursor, 0);
  query.cursor = first->next_cursor;
  auto second = db_.log->Query(query);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->events.size(), 1u);
  EXPECT_EQ(MustParseJson(second->events[0]).StringOr("id"), a.id);
  EXPECT_EQ(second->next_cursor, 0);
}

TEST_F(SqliteAuditLogTest, RecordsAreNotResourcesAndLeaveTheWriteGenerationAlone) {
  uint64_t generation = db_.store->WriteGeneration();
  ASSERT_TRUE(db_.log->Record(Record("evim", "read", {"p1"}, 1000)).ok());
  EXPECT_EQ(db_.store->WriteGeneration(), generation);
  auto found = db_.store->Search(testing::MustQuery("AuditEvent", {}));
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->matches.empty());
  auto history = db_.store->History(HistoryQuery{});
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->total, 0);
}

TEST_F(SqliteAuditLogTest, ARolledBackWriteLeavesNoRecordACommittedOneLeavesBoth) {
  AuditRecord lost = Record("evim", "create", {"p1"}, 1000);
  {
    auto tx = db_.store->BeginWrite();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(
        (*tx)->Create("Patient", "p1", MustParseJson(R"({"resourceType":"Patient"})")).ok());
    ASSERT_TRUE((*tx)->AppendAudit(lost).ok());
  }  // destroyed without Commit: rolled back
  EXPECT_TRUE(Ids({}).empty());
  EXPECT_FALSE(db_.store->Read("Patient", "p1").ok());

  AuditRecord kept = Record("evim", "create", {"p1"}, 2000);
  {
    auto tx = db_.store->BeginWrite();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(
        (*tx)->Create("Patient", "p1", MustParseJson(R"({"resourceType":"Patient"})")).ok());
    ASSERT_TRUE((*tx)->AppendAudit(kept).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  EXPECT_EQ(Ids({}), (std::vector<std::string>{kept.id}));
  EXPECT_TRUE(db_.store->Read("Patient", "p1").ok());
}

TEST_F(SqliteAuditLogTest, RecordsSurviveARestart) {
  AuditRecord record = Record("evim", "read", {"p1"}, 1000);
  ASSERT_TRUE(db_.log->Record(record).ok());
  Open();
  AuditQuery query;
  query.patient = "p1";
  EXPECT_EQ(Ids(query), (std::vector<std::string>{record.id}));
}

TEST_F(SqliteAuditLogTest, ConcurrentRecordsAreAllCommittedInFewerTransactions) {
  constexpr int kThreads = 8;
  constexpr int kEach = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < kEach; ++i) {
        Status status = db_.log->Record(Record("c" + std::to_string(t), "read", {"p"}, 1000 + i));
        EXPECT_TRUE(status.ok()) << status.ToString();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  AuditQuery query;
  query.count = 1;
  auto page = db_.log->Query(query);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, kThreads * kEach);
  EXPECT_LE(db_.log->commits(), kThreads * kEach);
  EXPECT_GE(db_.log->commits(), 1);
}

// The real store, except that BeginWrite fails while `failing` is set (a full disk, a lock held
// by another process).
class FlakyStore : public ForwardingResourceStore {
 public:
  explicit FlakyStore(ResourceStore& inner) : ForwardingResourceStore(inner) {}
  StatusOr<std::unique_ptr<WriteTransaction>> BeginWrite() override {
    if (failing) return UnavailableError("disk I/O error (test)");
    return inner().BeginWrite();
  }

  std::atomic<bool> failing{false};
};

TEST_F(SqliteAuditLogTest, WhileTheTrailCannotBeWrittenNewRecordsAreRefusedAndQueuedOnesKept) {
  FlakyStore flaky(*db_.store);
  auto log = SqliteAuditLog::Open(dir_.File("duet.db"), &flaky, std::chrono::milliseconds(5));
  ASSERT_TRUE(log.ok());
  flaky.failing = true;
  AuditRecord queued = Record("evim", "read", {"p1"}, 1000);
  ASSERT_TRUE((*log)->Record(queued).ok());  // queued before the writer has tried
  Status flushed = (*log)->Flush();
  EXPECT_EQ(flushed.code(), StatusCode::kUnavailable) << flushed.ToString();
  EXPECT_FALSE((*log)->WriteHealth().ok());
  Status refused = (*log)->Record(Record("evim", "read", {"p2"}, 1001));
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.message().find("disk I/O error (test)"), std::string::npos)
      << refused.message();

  flaky.failing = false;  // the writer's next retry commits the record it kept
  for (int i = 0; i < 400 && !(*log)->WriteHealth().ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE((*log)->WriteHealth().ok());
  AuditRecord after = Record("evim", "read", {"p3"}, 1002);
  ASSERT_TRUE((*log)->Record(after).ok());
  ASSERT_TRUE((*log)->Flush().ok());
  EXPECT_EQ(Ids({}), (std::vector<std::string>{after.id, queued.id}));
}

TEST_F(SqliteAuditLogTest, AnOutageIsLoggedWhenItStartsAndEndsNotAtEveryRetry) {
  test::CapturedLog captured;
  FlakyStore flaky(*db_.store);
  auto log = SqliteAuditLog::Open(dir_.File("duet.db"), &flaky, std::chrono::milliseconds(2));
  ASSERT_TRUE(log.ok());
  flaky.failing = true;
  ASSERT_TRUE((*log)->Record(Record("evim", "read", {"p1"}, 1000)).ok());
  EXPECT_FALSE((*log)->Flush().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // some 50 retries
  flaky.failing = false;
  for (int i = 0; i < 400 && !(*log)->WriteHealth().ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE((*log)->WriteHealth().ok());

  std::vector<std::string> lines = captured.Lines();
  ASSERT_EQ(lines.size(), 2u) << ::testing::PrintToString(lines);
  EXPECT_NE(lines[0].find("audit: cannot write 1 records (trying again every 2 ms"),
            std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find("disk I/O error (test)"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("audit: writing again after "), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("failed attempts); 1 records committed"), std::string::npos) << lines[1];
}

TEST_F(SqliteAuditLogTest, AStopCommitsWhatIsQueued) {
  std::vector<std::string> ids;
  for (int i = 0; i < 500; ++i) {
    AuditRecord record = Record("evim", "read", {"p"}, 1000 + i);
    ids.insert(ids.begin(), record.id);
    ASSERT_TRUE(db_.log->Record(record).ok());
  }
  Open();  // the log is destroyed without a Flush
  AuditQuery query;
  query.count = 1000;
  EXPECT_EQ(Ids(query), ids);
}

TEST_F(SqliteAuditLogTest, AQueryOnlyLogRefusesToRecord) {
  auto reader = SqliteAuditLog::Open(dir_.File("duet.db"), nullptr);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->Record(Record("evim", "read", {}, 1)).code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(db_.log->Record(Record("evim", "read", {}, 1)).ok());
  ASSERT_TRUE(db_.log->Flush().ok());  // committed, so another connection sees it
  auto page = (*reader)->Query({});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 1);
}

}  // namespace
}  // namespace duet::gateway
