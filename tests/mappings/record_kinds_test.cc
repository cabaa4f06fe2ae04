#include "mappings/record_kinds.h"

#include <gtest/gtest.h>

namespace duet::mappings {
namespace {

TEST(RecordKindsTest, IdentifierSystemJoinsBaseAndKindWithOneSlash) {
  EXPECT_EQ(IdentifierSystem("https://sunrise-pt.example/sid", "mrn"),
            "https://sunrise-pt.example/sid/mrn");
  EXPECT_EQ(IdentifierSystem("https://sunrise-pt.example/sid//", "plan-of-care"),
            "https://sunrise-pt.example/sid/plan-of-care");
}

TEST(RecordKindsTest, EveryRecordTypeWithAnIdentityHasAKind) {
  for (const char* type : {"patient", "referral", "plan_of_care", "home_exercise_program",
                           "nps_response", "education"}) {
    bool found = false;
    for (const RecordKind& kind : RecordKinds()) found = found || kind.record_type == type;
    EXPECT_TRUE(found) << type;
  }
}

}  // namespace
}  // namespace duet::mappings
