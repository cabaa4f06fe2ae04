#include "gateway/store/sqlite_sync_state_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "gateway/store/sqlite_connection.h"
#include "gateway/store/sqlite_resource_store.h"
#include "tests/gateway/store/store_test_util.h"

namespace duet::gateway {
namespace {

class SqliteSyncStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/duet-sync-state-XXXXXX";
    dir_ = mkdtemp(pattern);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto store = SqliteSyncStateStore::Open(dir_ + "/duet.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  // Rows of the outbox table, whatever their state, read beside the store.
  int64_t OutboxRows() { return testing::CountRows(dir_ + "/duet.db", "sync_outbox"); }

  std::string dir_;
  std::unique_ptr<SqliteSyncStateStore> store_;
};

TEST_F(SqliteSyncStateStoreTest, EveryRunIsKeptAndSummedPerUtcDayAndJob) {
  const int64_t day1 = 1795737600;  // 2026-11-27T00:00:00Z
  const int64_t day0 = day1 - 86400;
  ASSERT_TRUE(store_->RecordRun({"push", day0 + 10, day0 + 11, "ok", "", 2, 0, 0}).ok());
  ASSERT_TRUE(store_->RecordRun({"push", day1 + 10, day1 + 12, "ok", "", 3, 0, 1}).ok());
  ASSERT_TRUE(store_->RecordRun({"push", day1 + 500, day1 + 501, "failed", "down", 0, 0, 4}).ok());
  ASSERT_TRUE(store_->RecordRun({"pull", day1 + 86399, day1 + 86400, "ok", "", 0, 7, 0}).ok());
  Reopen();
  // The last run is still the job's state; the history has all four.
  EXPECT_EQ(store_->LoadJob("push")->last_run->outcome, "failed");
  auto all = store_->RunHistory(0);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].day, "2026-11-26");
  EXPECT_EQ((*all)[0].job, "push");
  EXPECT_EQ((*all)[0].sent, 2);
  EXPECT_EQ((*all)[1].day, "2026-11-27");
  EXPECT_EQ((*all)[1].job, "pull");
  EXPECT_EQ((*all)[1].received, 7);
  const SyncDayCount& push = (*all)[2];
  EXPECT_EQ(push.day, "2026-11-27");
  EXPECT_EQ(push.job, "push");
  EXPECT_EQ(push.runs, 2);
  EXPECT_EQ(push.failed_runs, 1);
  EXPECT_EQ(push.sent, 3);
  EXPECT_EQ(push.failed, 5);
  // Runs before `since` are left out.
  auto today = store_->RunHistory(day1);
  ASSERT_TRUE(today.ok());
  EXPECT_EQ(today->size(), 2u);
}

TEST_F(SqliteSyncStateStoreTest, RunsAreCountedForGoodAndTheHistoryKeepsTheirLast400Days) {
  const int64_t now = 1795737600;  // 2026-11-27T00:00:00Z
  const int64_t day = 86400;
  ASSERT_TRUE(
      store_->RecordRun({"push", now - 500 * day, now - 500 * day, "ok", "", 1, 0, 0}).ok());
  ASSERT_TRUE(
      store_->RecordRun({"push", now - 401 * day, now - 401 * day, "ok", "", 1, 0, 0}).ok());
  ASSERT_TRUE(
      store_->RecordRun({"pull", now - 450 * day, now - 450 * day, "ok", "", 0, 1, 0}).ok());
  ASSERT_TRUE(
      store_->RecordRun({"push", now - 399 * day, now - 399 * day, "ok", "", 1, 0, 0}).ok());
  ASSERT_TRUE(store_->RecordRun({"push", now, now + 1, "ok", "", 1, 0, 0}).ok());
  Reopen();
  EXPECT_EQ(store_->LoadJob("push")->run_count, 4);
  EXPECT_EQ(store_->LoadJob("pull")->run_count, 1);
  EXPECT_EQ(store_->LoadJob("never")->run_count, 0);
  auto history = store_->RunHistory(0);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  int64_t push_runs = 0;
  int64_t pull_runs = 0;
  for (const SyncDayCount& count : *history) {
    (count.job == "push" ? push_runs : pull_runs) += count.runs;
  }
  EXPECT_EQ(push_runs, 2) << "the runs of more than 400 days before the last one are dropped";
  EXPECT_EQ(pull_runs, 1) << "another job's history is its own";
}

TEST_F(SqliteSyncStateStoreTest, JobStateSurvivesAReopen) {
  auto fresh = store_->LoadJob("pull-referrals");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->watermark, "");
  EXPECT_FALSE(fresh->last_run.has_value());
  ASSERT_TRUE(store_->SaveWatermark("pull-referrals", "2026-11-27T10:00:00.000Z").ok());
  JobRun run{"pull-referrals", 100, 105, "ok", "3 referrals", 0, 3, 0};
  ASSERT_TRUE(store_->RecordRun(run).ok());
  ASSERT_TRUE(store_->SetNextRun("pull-referrals", 700).ok());
  Reopen();
  auto state = store_->LoadJob("pull-referrals");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->watermark, "2026-11-27T10:00:00.000Z");
  EXPECT_EQ(state->next_run_at, 700);
  ASSERT_TRUE(state->last_run.has_value());
  EXPECT_EQ(state->last_run->message, "3 referrals");
  EXPECT_EQ(state->last_run->received, 3);
}

TEST_F(SqliteSyncStateStoreTest, OutboxKeepsOneOpenItemPerKey) {
  auto first = store_->Enqueue("push", "CarePlan/a", "v1", 10);
  auto again = store_->Enqueue("push", "CarePlan/a", "v2", 20);
  auto other = store_->Enqueue("push", "CarePlan/b", "v1", 15);
  ASSERT_TRUE(first.ok() && again.ok() && other.ok());
  EXPECT_EQ(*first, *again);
  auto due = store_->DueItems("push", 30, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].key, "CarePlan/a");
  EXPECT_EQ((*due)[0].payload, "v2");
  ASSERT_TRUE(store_->MarkDone(*first).ok());
  auto next = store_->Enqueue("push", "CarePlan/a", "v3", 40);
  ASSERT_TRUE(next.ok());
  EXPECT_NE(*next, *first) << "a done item is history; new work is a new item";
  EXPECT_EQ(store_->DueItems("other-job", 100, 10)->size(), 0u);
}

TEST_F(SqliteSyncStateStoreTest, TheSameWorkAgainKeepsItsBackoffNewWorkIsDueNow) {
  int64_t id = *store_->Enqueue("push", "CarePlan/a", "v1", 10);
  ASSERT_TRUE(store_->MarkFailed(id, "503", 100, false).ok());
  ASSERT_TRUE(store_->Enqueue("push", "CarePlan/a", "v1", 20).ok());
  EXPECT_EQ(store_->DueItems("push", 50, 10)->size(), 0u) << "still backing off";
  ASSERT_TRUE(store_->MarkFailed(id, "400", 0, true).ok());
  ASSERT_TRUE(store_->Enqueue("push", "CarePlan/a", "v1", 30).ok());
  EXPECT_EQ(store_->Items("push", "dead")->size(), 1u) << "a dead letter waits for a retry";
  ASSERT_TRUE(store_->Enqueue("push", "CarePlan/a", "v2", 40).ok());
  auto due = store_->DueItems("push", 40, 10);
  ASSERT_EQ(due->size(), 1u) << "a new version is new work";
  EXPECT_EQ((*due)[0].payload, "v2");
}

TEST_F(SqliteSyncStateStoreTest, FailuresBackOffThenGoDeadAndCanBeRetried) {
  int64_t id = *store_->Enqueue("push", "CarePlan/a", "v1", 10);
  ASSERT_TRUE(store_->MarkFailed(id, "503 from partner", 70, false).ok());
  EXPECT_EQ(store_->DueItems("push", 69, 10)->size(), 0u);
  auto due = store_->DueItems("push", 70, 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].attempts, 1);
  EXPECT_EQ((*due)[0].last_error, "503 from partner");
  ASSERT_TRUE(store_->MarkFailed(id, "400 from partner: bad Bundle", 0, true).ok());
  EXPECT_EQ(store_->DueItems("push", 1000, 10)->size(), 0u);
  Reopen();
  auto dead = store_->Items("", "dead");
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].attempts, 2);
  EXPECT_EQ(*store_->RetryDead("push", 2000), 1);
  auto retried = store_->DueItems("push", 2000, 10);
  ASSERT_EQ(retried->size(), 1u);
  EXPECT_EQ((*retried)[0].attempts, 0);
}

TEST_F(SqliteSyncStateStoreTest, CountsItemsByJobAndState) {
  int64_t a = *store_->Enqueue("push", "CarePlan/a", "v1", 10);
  ASSERT_TRUE(store_->Enqueue("push", "CarePlan/b", "v1", 10).ok());
  ASSERT_TRUE(store_->Enqueue("pull", "Patient/c", "v1", 10).ok());
  ASSERT_TRUE(store_->MarkFailed(a, "400 from partner", 0, true).ok());
  EXPECT_EQ(*store_->CountItems("push", "dead"), 1);
  EXPECT_EQ(*store_->CountItems("push", "pending"), 1);
  EXPECT_EQ(*store_->CountItems("pull", "pending"), 1);
  EXPECT_EQ(*store_->CountItems("pull", "dead"), 0);
  EXPECT_EQ(*store_->CountItems("", "pending"), 2);
}

TEST_F(SqliteSyncStateStoreTest, EnqueueAllIsEnqueueForEachInOneTransaction) {
  int64_t a = *store_->Enqueue("push", "CarePlan/a", "v1", 10);
  ASSERT_TRUE(store_->MarkFailed(a, "503", 100, false).ok());
  std::vector<OutboxWork> work = {
      {"CarePlan/a", "v1"}, {"CarePlan/b", "v1"}, {"CarePlan/c", "v1"}, {"CarePlan/c", "v2"}};
  ASSERT_TRUE(store_->EnqueueAll("push", work, 20).ok());
  auto due = store_->DueItems("push", 50, 10);
  ASSERT_EQ(due->size(), 2u) << "a: the same work again keeps its backoff";
  EXPECT_EQ((*due)[0].key, "CarePlan/b");
  EXPECT_EQ((*due)[1].key, "CarePlan/c");
  EXPECT_EQ((*due)[1].payload, "v2") << "in order: the later payload wins";
  EXPECT_EQ(store_->DueItems("push", 100, 10)->size(), 3u);
  ASSERT_TRUE(store_->EnqueueAll("push", {}, 30).ok());
  Reopen();
  EXPECT_EQ(store_->Items("push", "pending")->size(), 3u);
}

TEST_F(SqliteSyncStateStoreTest, MarkDoneWithMarkerDoesBoth) {
  int64_t id = *store_->Enqueue("push", "CarePlan/a", "3", 10);
  ASSERT_TRUE(store_->MarkDoneWithMarker(id, "push", "CarePlan/a", "3").ok());
  Reopen();
  EXPECT_EQ(store_->Items("push", "pending")->size(), 0u);
  EXPECT_EQ(store_->Marker("push", "CarePlan/a")->value(), "3");
  int64_t next = *store_->Enqueue("push", "CarePlan/a", "4", 20);
  EXPECT_NE(next, id);
  ASSERT_TRUE(store_->MarkDoneWithMarker(next, "push", "CarePlan/a", "4").ok());
  EXPECT_EQ(store_->Marker("push", "CarePlan/a")->value(), "4");
  EXPECT_EQ(store_->DueItems("push", 100, 10)->size(), 0u);
}

TEST_F(SqliteSyncStateStoreTest, AFinishedItemLeavesTheOutbox) {
  auto first = store_->Enqueue("push", "CarePlan/a", "1", 100);
  auto second = store_->Enqueue("push", "CarePlan/b", "1", 100);
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE(store_->MarkDone(*first).ok());
  ASSERT_TRUE(store_->MarkDoneWithMarker(*second, "push", "CarePlan/b", "1").ok());
  EXPECT_EQ(OutboxRows(), 0) << "no row is kept for what is done";
  EXPECT_EQ(*store_->Marker("push", "CarePlan/b"), "1");
  auto again = store_->Enqueue("push", "CarePlan/a", "2", 200);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(store_->DueItems("push", 200, 10)->size(), 1u) << "a new version is new work";
}

TEST_F(SqliteSyncStateStoreTest, FinishedItemsAnOlderVersionKeptAreDroppedAtOpen) {
  ASSERT_TRUE(store_->Enqueue("push", "CarePlan/a", "1", 100).ok());
  store_.reset();
  {
    auto db = SqliteConnection::Open(dir_ + "/duet.db", SqliteConnection::Options{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO sync_outbox (job, item_key, payload, next_attempt_at, "
                           "state, created_at) VALUES ('push', 'CarePlan/old', '1', 0, 'done', 0)")
                    .ok());
  }
  Reopen();
  EXPECT_EQ(OutboxRows(), 1) << "the pending item stays, the done one is gone";
  EXPECT_EQ(store_->DueItems("push", 100, 10)->size(), 1u);
}

TEST_F(SqliteSyncStateStoreTest, MarkersAreKeptPerJob) {
  EXPECT_FALSE(store_->Marker("push-a", "CarePlan/x")->has_value());
  ASSERT_TRUE(store_->SetMarker("push-a", "CarePlan/x", "3").ok());
  ASSERT_TRUE(store_->SetMarker("push-a", "CarePlan/x", "4").ok());
  EXPECT_EQ(store_->Marker("push-a", "CarePlan/x")->value(), "4");
  EXPECT_FALSE(store_->Marker("push-b", "CarePlan/x")->has_value());
}

TEST_F(SqliteSyncStateStoreTest, SharesTheDatabaseFileWithTheResourceStore) {
  auto resources = SqliteResourceStore::Open(dir_ + "/duet.db");
  ASSERT_TRUE(resources.ok()) << resources.status().ToString();
  auto tx = (*resources)->BeginWrite();
  ASSERT_TRUE(tx.ok());
  auto created = (*tx)->Create("Patient", "", *fhir::ParseJson(R"({"resourceType":"Patient"})"));
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE((*tx)->Commit().ok());
  ASSERT_TRUE(store_->SaveWatermark("job", "w").ok());
  EXPECT_TRUE((*resources)->Read("Patient", created->id).ok());
}

TEST_F(SqliteSyncStateStoreTest, EachEndpointKeepsItsLastConnectionCheck) {
  EXPECT_TRUE(store_->EndpointChecks()->empty());
  ASSERT_TRUE(
      store_->RecordEndpointCheck({"ortho", 100, false, "TLS/metadata: refused", "", 0}).ok());
  ASSERT_TRUE(
      store_->RecordEndpointCheck({"evim", 200, false, "auth (none): HTTP 401", "CN = a", 5000})
          .ok());
  ASSERT_TRUE(store_->RecordEndpointCheck({"evim", 300, true, "", "CN = b", 9000}).ok());
  Reopen();
  auto checks = store_->EndpointChecks();
  ASSERT_TRUE(checks.ok()) << checks.status().ToString();
  ASSERT_EQ(checks->size(), 2u);
  const EndpointHealth& evim = (*checks)[0];
  EXPECT_EQ(evim.endpoint, "evim");
  EXPECT_EQ(evim.checked_at, 300);
  EXPECT_TRUE(evim.ok);
  EXPECT_EQ(evim.message, "");
  EXPECT_EQ(evim.certificate_subject, "CN = b");
  EXPECT_EQ(evim.certificate_expires_at, 9000);
  EXPECT_EQ((*checks)[1].endpoint, "ortho");
  EXPECT_FALSE((*checks)[1].ok);
  EXPECT_EQ((*checks)[1].message, "TLS/metadata: refused");

  ASSERT_TRUE(store_->ForgetEndpointCheck("evim").ok());
  ASSERT_TRUE(store_->ForgetEndpointCheck("never-checked").ok());
  ASSERT_EQ(store_->EndpointChecks()->size(), 1u);
  EXPECT_EQ(store_->EndpointChecks()->at(0).endpoint, "ortho");
}

// A store written before endpoint checks were kept (no sync_endpoint_checks table) gains the
// table when opened, and keeps what it had.
TEST_F(SqliteSyncStateStoreTest, AnOlderStoreGainsTheEndpointChecksTable) {
  store_.reset();
  const std::string path = dir_ + "/older.db";
  {
    auto db = SqliteConnection::Open(path, SqliteConnection::Options{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)
                    ->Exec("CREATE TABLE sync_jobs (job TEXT PRIMARY KEY, watermark TEXT NOT NULL "
                           "DEFAULT '', next_run_at INTEGER NOT NULL DEFAULT 0, run_started_at "
                           "INTEGER, run_finished_at INTEGER, run_outcome TEXT, run_message TEXT, "
                           "run_sent INTEGER, run_received INTEGER, run_failed INTEGER);"
                           "INSERT INTO sync_jobs (job, watermark) VALUES ('pull', '2026-11-01');")
                    .ok());
  }
  auto older = SqliteSyncStateStore::Open(path);
  ASSERT_TRUE(older.ok()) << older.status().ToString();
  EXPECT_EQ((*older)->LoadJob("pull")->watermark, "2026-11-01");
  ASSERT_TRUE((*older)->RecordEndpointCheck({"evim", 1, true, "", "CN = evim", 2}).ok());
  EXPECT_EQ((*older)->EndpointChecks()->size(), 1u);
}

TEST_F(SqliteSyncStateStoreTest, AnOlderStoreCountsTheRunsItsHistoryHolds) {
  const int64_t now = 1795737600;
  ASSERT_TRUE(store_->RecordRun({"push", now, now, "ok", "", 1, 0, 0}).ok());
  ASSERT_TRUE(store_->RecordRun({"push", now + 60, now + 61, "ok", "", 1, 0, 0}).ok());
  ASSERT_TRUE(store_->RecordRun({"pull", now, now, "ok", "", 0, 1, 0}).ok());
  store_.reset();
  {  // As the version before the counter left it: no run_count column.
    auto db = SqliteConnection::Open(dir_ + "/duet.db", SqliteConnection::Options{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Exec("ALTER TABLE sync_jobs DROP COLUMN run_count").ok());
  }
  Reopen();
  EXPECT_EQ(store_->LoadJob("push")->run_count, 2);
  EXPECT_EQ(store_->LoadJob("pull")->run_count, 1);
  ASSERT_TRUE(store_->RecordRun({"push", now + 120, now + 121, "ok", "", 1, 0, 0}).ok());
  EXPECT_EQ(store_->LoadJob("push")->run_count, 3);
  Reopen();  // the column is there now: opening again changes nothing
  EXPECT_EQ(store_->LoadJob("push")->run_count, 3);
}

}  // namespace
}  // namespace duet::gateway
