#include "gateway/store/serving_lock.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

namespace duet::gateway {
namespace {

class ServingLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/duet-serving-lock-XXXXXX";
    dir_ = mkdtemp(pattern);
    store_ = dir_ + "/duet.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
  std::string store_;
};

TEST_F(ServingLockTest, OneHolderAtATimeAndReleasedWhenDestroyed) {
  auto held = ServingLock::IsHeld(store_);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_FALSE(*held);
  {
    auto first = ServingLock::Acquire(store_);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_TRUE(*ServingLock::IsHeld(store_));
    auto second = ServingLock::Acquire(store_);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(second.status().message().find(store_), std::string::npos);
    ServingLock moved = std::move(*first);
    EXPECT_TRUE(*ServingLock::IsHeld(store_));
  }
  EXPECT_FALSE(*ServingLock::IsHeld(store_));
  EXPECT_TRUE(ServingLock::Acquire(store_).ok());
}

TEST_F(ServingLockTest, AKilledHolderLeavesNoStaleLock) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = ServingLock::Acquire(store_);
    char byte = lock.ok() ? '1' : '0';
    (void)!write(ready[1], &byte, 1);
    pause();
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, '1');
  EXPECT_TRUE(*ServingLock::IsHeld(store_));
  EXPECT_FALSE(ServingLock::Acquire(store_).ok());
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_FALSE(*ServingLock::IsHeld(store_));
  EXPECT_TRUE(ServingLock::Acquire(store_).ok());
  close(ready[0]);
  close(ready[1]);
}

}  // namespace
}  // namespace duet::gateway
