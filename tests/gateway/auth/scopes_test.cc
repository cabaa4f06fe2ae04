#include "gateway/auth/scopes.h"

#include <gtest/gtest.h>

namespace duet::gateway {
namespace {

std::vector<Scope> Parse(const char* text) {
  auto scopes = ParseScopes(text);
  EXPECT_TRUE(scopes.ok()) << scopes.status().ToString();
  return scopes.ok() ? *scopes : std::vector<Scope>{};
}

TEST(ScopesTest, V1AndV2FormsMeanTheSame) {
  EXPECT_EQ(ParseScope("system/CarePlan.read")->permissions,
            ParseScope("system/CarePlan.rs")->permissions);
  EXPECT_EQ(ParseScope("system/Task.write")->permissions,
            ParseScope("system/Task.cud")->permissions);
  EXPECT_EQ(ParseScope("system/*.*")->permissions, ParseScope("system/*.cruds")->permissions);
}

TEST(ScopesTest, PermitsByTypeAndLetter) {
  std::vector<Scope> granted = Parse("system/CarePlan.rs system/Task.cu");
  EXPECT_TRUE(Permits(granted, "CarePlan", kRead));
  EXPECT_TRUE(Permits(granted, "CarePlan", kSearch));
  EXPECT_FALSE(Permits(granted, "CarePlan", kUpdate));
  EXPECT_TRUE(Permits(granted, "Task", kUpdate));
  EXPECT_FALSE(Permits(granted, "Task", kRead));
  EXPECT_FALSE(Permits(granted, "Patient", kRead));
  EXPECT_TRUE(Permits(Parse("system/*.read"), "Patient", kSearch));
}

TEST(ScopesTest, CoversOnlyWhatIsAllowed) {
  std::vector<Scope> allowed = Parse("system/CarePlan.read system/Task.cruds");
  EXPECT_TRUE(Covers(allowed, *ParseScope("system/CarePlan.r")));
  EXPECT_TRUE(Covers(allowed, *ParseScope("system/Task.write")));
  EXPECT_TRUE(Covers(allowed, *ParseScope("system/CarePlan.rs")));
  EXPECT_FALSE(Covers(allowed, *ParseScope("system/CarePlan.u")));
  EXPECT_FALSE(Covers(allowed, *ParseScope("system/*.rs")));
  EXPECT_TRUE(Covers(Parse("system/*.cruds"), *ParseScope("system/Patient.rs")));
}

TEST(ScopesTest, MalformedScopesAreNamed) {
  EXPECT_EQ(ParseScope("patient/CarePlan.rs").status().message(),
            "scope \"patient/CarePlan.rs\": backend services use system/ scopes, e.g. "
            "system/CarePlan.rs");
  EXPECT_EQ(ParseScope("system/CarePlan").status().message(),
            "scope \"system/CarePlan\": expected system/<Type>.<access>");
  EXPECT_EQ(ParseScope("system/careplan.rs").status().message(),
            "scope \"system/careplan.rs\": not a resource type or *");
  EXPECT_EQ(ParseScope("system/CarePlan.sr").status().message(),
            "scope \"system/CarePlan.sr\": access must be read, write, * or v2 letters in the "
            "order c r u d s");
  EXPECT_FALSE(ParseScopes("  ").ok());
}

}  // namespace
}  // namespace duet::gateway
