#include "gateway/audit/audit_retention.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gateway/store/sqlite_connection.h"
#include "tests/gateway/store/store_test_util.h"

namespace duet::gateway {
namespace {

using testing::TempDir;

constexpr int64_t kDayMs = int64_t{86400} * 1000;
constexpr int64_t kNowMs = 1795737600000;  // 2026-11-27T00:00:00Z
constexpr int64_t kRetentionDays = 2190;

AuditRecord Read(const std::string& patient, int64_t recorded_ms) {
  AuditRecord record;
  record.id = NewAuditId();
  record.recorded_ms = recorded_ms;
  record.agent = {"client", "evim", "1620193841"};
  record.remote_address = "127.0.0.1";
  record.interaction = "read";
  record.resource_type = "Patient";
  record.resource_id = patient;
  record.http_status = 200;
  record.patients = {patient};
  record.resources = {"Patient/" + patient};
  return record;
}

class AuditRetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::MustOpenWithAudit(dir_.File("duet.db"));
    ASSERT_TRUE(db_.store && db_.log);
  }
  void RecordAll(const std::vector<AuditRecord>& records) {
    for (const AuditRecord& record : records) ASSERT_TRUE(db_.log->Record(record).ok());
    ASSERT_TRUE(db_.log->Flush().ok());
  }
  int64_t Rows(const std::string& table) { return testing::CountRows(dir_.File("duet.db"), table); }
  // The ids the audit log finds for a patient.
  size_t EventsOf(const std::string& patient) {
    AuditQuery query;
    query.patient = patient;
    query.count = 100;
    auto page = db_.log->Query(query);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->events.size() : 0;
  }

  TempDir dir_;
  testing::StoreWithAudit db_;
};

TEST_F(AuditRetentionTest, RecordsOlderThanTheRetentionPeriodAreDeletedWithTheirIndex) {
  const int64_t cutoff = kNowMs - kRetentionDays * kDayMs;
  RecordAll({Read("p-old", cutoff - kDayMs), Read("p-old", cutoff - 1), Read("p-kept", cutoff),
             Read("p-kept", kNowMs - kDayMs), Read("p-old", kNowMs)});
  {
    AuditRetention retention(
        *db_.store, kRetentionDays, [] { return kNowMs; }, std::chrono::hours(24));
    auto deleted = retention.PruneOnce();
    ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
    // The thread's pass at start may have run first: then this one finds nothing left.
    EXPECT_LE(*deleted, 2);
  }
  EXPECT_EQ(Rows("audit_event"), 3);
  EXPECT_EQ(Rows("audit_patient"), 3) << "the patient index loses the deleted events' rows";
  EXPECT_EQ(EventsOf("p-old"), 1u) << "only its recent read is left";
  EXPECT_EQ(EventsOf("p-kept"), 2u) << "a record at the cutoff itself stays";
}

TEST_F(AuditRetentionTest, ThePassAtStartDeletesInBatchesUntilNothingIsLeft) {
  const int64_t old_ms = kNowMs - (kRetentionDays + 30) * kDayMs;
  std::vector<AuditRecord> records;
  for (int64_t i = 0; i < AuditRetention::kBatch + 7; ++i) {
    records.push_back(Read("p-" + std::to_string(i % 50), old_ms + i));
  }
  records.push_back(Read("p-recent", kNowMs - 1));
  RecordAll(records);
  AuditRetention retention(
      *db_.store, kRetentionDays, [] { return kNowMs; }, std::chrono::hours(24));
  for (int i = 0; i < 500 && Rows("audit_event") != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Rows("audit_event"), 1) << "two batches, both at start";
  EXPECT_EQ(Rows("audit_patient"), 1);
  EXPECT_EQ(EventsOf("p-recent"), 1u);
}

}  // namespace
}  // namespace duet::gateway
