#include "gateway/audit/read_entities_cache.h"

#include <gtest/gtest.h>

namespace duet::gateway {
namespace {

using Strings = std::vector<std::string>;

constexpr char kPlan[] = R"({"resourceType":"CarePlan","id":"cp1",
    "subject":{"reference":"Patient/p1"},"author":{"reference":"Practitioner/d1"}})";
constexpr char kOtherPlan[] = R"({"resourceType":"CarePlan","id":"cp1",
    "subject":{"reference":"Patient/p2"}})";

TEST(ReadEntitiesCacheTest, NamesWhatTheAnswerNamesAndRemembersItByKey) {
  ReadEntitiesCache cache;
  ReadEntitiesCache::Entities first = cache.For("CarePlan/cp1/W/\"1\"?", kPlan);
  EXPECT_EQ(first.resources, (Strings{"CarePlan/cp1"}));
  EXPECT_EQ(first.patients, (Strings{"p1"}));
  // The same key is the same version: its answer is not read again.
  EXPECT_EQ(cache.For("CarePlan/cp1/W/\"1\"?", kOtherPlan).patients, (Strings{"p1"}));
  EXPECT_EQ(cache.For("CarePlan/cp1/W/\"2\"?", kOtherPlan).patients, (Strings{"p2"}));
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ReadEntitiesCacheTest, IsBounded) {
  ReadEntitiesCache cache(2);
  cache.For("a", kPlan);
  cache.For("b", kPlan);
  cache.For("c", kOtherPlan);
  EXPECT_EQ(cache.size(), 1u) << "emptied when full";
  EXPECT_EQ(cache.For("c", kPlan).patients, (Strings{"p2"}));
}

TEST(ReadEntitiesCacheTest, AnAnswerThatIsNotJsonNamesNothing) {
  ReadEntitiesCache cache;
  ReadEntitiesCache::Entities none = cache.For("x", "not json");
  EXPECT_TRUE(none.resources.empty());
  EXPECT_TRUE(none.patients.empty());
}

}  // namespace
}  // namespace duet::gateway
