#include "mappings/mapping_context.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "mappings/code_tables.h"
#include "mappings/record_kinds.h"

namespace duet::mappings {
namespace {

TEST(MappingContextTest, GivesTheSystemOfEveryKind) {
  for (const char* base : {"https://sunrise-pt.example/sid", "https://sunrise-pt.example/sid//"}) {
    MappingContext context(base);
    EXPECT_EQ(context.identifier_base(), base);
    for (std::string_view kind : kinds::kAll) {
      EXPECT_EQ(context.System(kind), IdentifierSystem(base, kind)) << kind;
    }
  }
  EXPECT_EQ(MappingContext("https://a.example/sid").System(kinds::kPlanOfCare),
            "https://a.example/sid/plan-of-care");
}

TEST(MappingContextTest, ACopyGivesSystemsOfItsOwn) {
  auto original = std::make_unique<MappingContext>("https://a.example/sid");
  MappingContext copy = *original;
  original.reset();
  EXPECT_EQ(copy.System(kinds::kMrn), "https://a.example/sid/mrn");
  MappingContext assigned;
  assigned = copy;
  EXPECT_EQ(assigned.System(kinds::kGoal), "https://a.example/sid/goal");
}

TEST(MappingContextDeathTest, AnUnknownKindIsAProgrammingError) {
  MappingContext context("https://a.example/sid");
  EXPECT_DEATH(context.System("no-such-kind"), "no identifier kind \"no-such-kind\"");
}

}  // namespace
}  // namespace duet::mappings
