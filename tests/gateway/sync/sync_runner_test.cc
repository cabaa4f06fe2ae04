#include "gateway/sync/sync_runner.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "gateway/store/sqlite_sync_state_store.h"

namespace duet::gateway {
namespace {

// A job that counts its runs and answers what it is told to.
class ScriptedJob : public SyncJob {
 public:
  explicit ScriptedJob(std::atomic<int>* runs) : runs_(runs) {}
  StatusOr<JobRunReport> RunOnce(const std::function<bool()>& /*should_stop*/) override {
    ++*runs_;
    if (fail_next) {
      fail_next = false;
      return UnavailableError("partner unreachable: connection refused");
    }
    JobRunReport report;
    report.sent = 2;
    report.message = "2 plans of care pushed";
    return report;
  }
  bool fail_next = false;

 private:
  std::atomic<int>* runs_;
};

class SyncRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/duet-runner-XXXXXX";
    dir_ = mkdtemp(pattern);
    state_ = std::move(*SqliteSyncStateStore::Open(dir_ + "/duet.db"));
    runner_ = std::make_unique<SyncRunner>(*state_, [this] { return now_.load(); });
  }
  void TearDown() override {
    runner_.reset();
    state_.reset();
    std::filesystem::remove_all(dir_);
  }
  ScriptedJob* Add(const std::string& name, const std::string& every, const std::string& cron) {
    JobConfig config;
    config.name = name;
    config.every_seconds = every.empty() ? 0 : ParseInterval(every);
    config.cron = cron;
    auto job = std::make_unique<ScriptedJob>(&runs_);
    ScriptedJob* raw = job.get();
    runner_->AddJob(name, *JobSchedule::FromConfig(config), std::move(job));
    return raw;
  }

  std::string dir_;
  std::atomic<int64_t> now_{1'800'000'000};  // 2027-01-15T08:00:00Z
  std::atomic<int> runs_{0};
  std::unique_ptr<SqliteSyncStateStore> state_;
  std::unique_ptr<SyncRunner> runner_;
};

TEST_F(SyncRunnerTest, JobsRunWhenDueAndRecordTheirRuns) {
  Add("push", "15m", "");
  EXPECT_EQ(runner_->RunDue().size(), 1u) << "never run: due at once";
  EXPECT_EQ(runner_->RunDue().size(), 0u);
  now_ += 899;
  EXPECT_EQ(runner_->RunDue().size(), 0u);
  now_ += 1;
  auto runs = runner_->RunDue();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].outcome, "ok");
  auto state = state_->LoadJob("push");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->next_run_at, now_ + 900);
  EXPECT_EQ(state->last_run->sent, 2);
  EXPECT_EQ(state->last_run->message, "2 plans of care pushed");
}

TEST_F(SyncRunnerTest, AFailedRunIsRecordedAndTheScheduleGoesOn) {
  ScriptedJob* job = Add("pull", "", "0 * * * *");
  job->fail_next = true;
  auto run = runner_->RunNow("pull");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->outcome, "failed");
  EXPECT_EQ(run->message, "partner unreachable: connection refused");
  EXPECT_EQ(state_->LoadJob("pull")->next_run_at, 1'800'000'000 + 3600);
  EXPECT_EQ(runner_->RunNow("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(SyncRunnerTest, TheRunObserverHearsOfEveryRecordedRun) {
  ScriptedJob* job = Add("push", "15m", "");
  std::vector<JobRun> seen;
  runner_->SetRunObserver([&](const JobRun& run) { seen.push_back(run); });
  ASSERT_TRUE(runner_->RunNow("push").ok());
  job->fail_next = true;
  ASSERT_TRUE(runner_->RunNow("push").ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].job, "push");
  EXPECT_EQ(seen[0].outcome, "ok");
  EXPECT_EQ(seen[0].sent, 2);
  EXPECT_EQ(seen[1].outcome, "failed");
}

TEST_F(SyncRunnerTest, TheScheduleSurvivesARestart) {
  Add("push", "1h", "");
  runner_->RunDue();
  runner_ = std::make_unique<SyncRunner>(*state_, [this] { return now_.load(); });
  Add("push", "1h", "");
  EXPECT_EQ(runner_->RunDue().size(), 0u) << "it ran just now; the next run is an hour away";
  now_ += 3 * 3600;  // the gateway was down past the next run
  EXPECT_EQ(runner_->RunDue().size(), 1u);
}

TEST_F(SyncRunnerTest, TheThreadRunsDueJobsAndStops) {
  Add("push", "1h", "");
  runner_->Start();
  for (int i = 0; i < 200 && runs_ == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  runner_->Stop();
  EXPECT_EQ(runs_, 1);
}

TEST_F(SyncRunnerTest, RequestRunMakesAJobDueAndWakesTheScheduler) {
  Add("push", "1d", "");
  EXPECT_EQ(runner_->RunDue().size(), 1u);
  EXPECT_EQ(runner_->RunDue().size(), 0u) << "next run in a day";
  ASSERT_TRUE(runner_->RequestRun("push").ok());
  EXPECT_EQ(runner_->RunDue().size(), 1u) << "due at once after RequestRun";
  EXPECT_EQ(runner_->RequestRun("nobody").code(), StatusCode::kNotFound);

  // With the scheduling thread waiting for a day, a request wakes it.
  runner_->Start();
  int before = runs_;
  ASSERT_TRUE(runner_->RequestRun("push").ok());
  for (int i = 0; i < 500 && runs_ == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(runs_, before + 1);
  runner_->Stop();
}

TEST_F(SyncRunnerTest, RescheduleCountsANewScheduleFromNow) {
  Add("push", "1d", "");
  EXPECT_EQ(runner_->RunDue().size(), 1u);
  EXPECT_EQ(state_->LoadJob("push")->next_run_at, now_ + 86400);
  auto changed = std::make_unique<SyncRunner>(*state_, [this] { return now_.load(); });
  JobConfig config;
  config.name = "push";
  config.every_seconds = 600;
  changed->AddJob("push", *JobSchedule::FromConfig(config), std::make_unique<ScriptedJob>(&runs_));
  ASSERT_TRUE(changed->Reschedule("push").ok());
  EXPECT_EQ(state_->LoadJob("push")->next_run_at, now_ + 600);
}

}  // namespace
}  // namespace duet::gateway
