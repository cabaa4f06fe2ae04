#include "gateway/workflow/task_state_machine.h"

#include <gtest/gtest.h>

namespace duet::gateway {
namespace {

TEST(TaskStateMachineTest, AReferralTaskRunsForwardOnly) {
  const char* path[] = {"requested", "received", "accepted", "in-progress", "completed"};
  for (size_t i = 0; i + 1 < std::size(path); ++i) {
    EXPECT_TRUE(CheckTaskTransition(path[i], path[i + 1], false).ok()) << path[i];
    EXPECT_FALSE(CheckTaskTransition(path[i + 1], path[i], false).ok()) << path[i + 1];
  }
  EXPECT_TRUE(CheckTaskTransition("received", "rejected", false).ok());
  EXPECT_TRUE(CheckTaskTransition("accepted", "cancelled", false).ok());
  EXPECT_FALSE(CheckTaskTransition("requested", "completed", false).ok());
  EXPECT_FALSE(CheckTaskTransition("completed", "cancelled", false).ok());
  EXPECT_TRUE(CheckTaskTransition("completed", "entered-in-error", false).ok());
  EXPECT_TRUE(CheckTaskTransition("accepted", "accepted", false).ok());
}

TEST(TaskStateMachineTest, ACertificationTaskMayBeDecidedInOneStep) {
  EXPECT_TRUE(CheckTaskTransition("requested", "completed", true).ok());
  EXPECT_TRUE(CheckTaskTransition("requested", "rejected", true).ok());
  EXPECT_FALSE(CheckTaskTransition("completed", "requested", true).ok());
}

TEST(TaskStateMachineTest, TheRefusalNamesWhereTheTaskMayGo) {
  Status refused = CheckTaskTransition("accepted", "requested", false);
  EXPECT_EQ(refused.code(), StatusCode::kUnprocessable);
  EXPECT_NE(refused.message().find("from 'accepted' it may move to ready, in-progress, cancelled"),
            std::string::npos)
      << refused.message();
  EXPECT_NE(CheckTaskTransition("done", "completed", false).message().find("'done'"),
            std::string::npos);
}

}  // namespace
}  // namespace duet::gateway
