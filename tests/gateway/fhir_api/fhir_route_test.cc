#include "gateway/fhir_api/fhir_route.h"

#include <gtest/gtest.h>

namespace duet::gateway {
namespace {

using Kind = FhirRoute::Kind;

TEST(FhirRouteTest, ParsesEveryShape) {
  struct Case {
    const char* path;
    Kind kind;
    const char* type;
    const char* id;
    long long version;
  };
  const Case cases[] = {
      {"", Kind::kSystem, "", "", 0},
      {"/", Kind::kSystem, "", "", 0},
      {"/metadata", Kind::kMetadata, "", "", 0},
      {"/_history", Kind::kSystemHistory, "", "", 0},
      {"/CarePlan", Kind::kType, "CarePlan", "", 0},
      {"/CarePlan/", Kind::kType, "CarePlan", "", 0},
      {"/CarePlan/_search", Kind::kTypeSearch, "CarePlan", "", 0},
      {"/CarePlan/_history", Kind::kTypeHistory, "CarePlan", "", 0},
      {"/CarePlan/cp-1.a", Kind::kInstance, "CarePlan", "cp-1.a", 0},
      {"/CarePlan/cp-1/_history", Kind::kInstanceHistory, "CarePlan", "cp-1", 0},
      {"/CarePlan/cp-1/_history/12", Kind::kVersion, "CarePlan", "cp-1", 12},
  };
  for (const Case& c : cases) {
    auto route = ParseFhirRoute(c.path);
    ASSERT_TRUE(route.ok()) << c.path << ": " << route.status().ToString();
    EXPECT_EQ(route->kind, c.kind) << c.path;
    EXPECT_EQ(route->type, c.type) << c.path;
    EXPECT_EQ(route->id, c.id) << c.path;
    EXPECT_EQ(route->version, c.version) << c.path;
  }
}

TEST(FhirRouteTest, UnknownTypesAndShapesAreNotFound) {
  for (const char* path : {"/Claim", "/Claim/1", "/Foo", "/carePlan", "/CarePlan/1/x",
                           "/CarePlan/1/_history/2/3", "/CarePlan/$validate", "/admin"}) {
    auto route = ParseFhirRoute(path);
    ASSERT_FALSE(route.ok()) << path;
    EXPECT_EQ(route.status().code(), StatusCode::kNotFound) << path;
  }
}

TEST(FhirRouteTest, MalformedIdsAndVersionsAreBadRequests) {
  std::string long_id(65, 'a');
  for (std::string path :
       {std::string("/CarePlan/a_b"), std::string("/CarePlan/") + long_id,
        std::string("/CarePlan/a%20b"), std::string("/CarePlan/1/_history/0"),
        std::string("/CarePlan/1/_history/x"), std::string("/CarePlan/1/_history/01")}) {
    auto route = ParseFhirRoute(path);
    ASSERT_FALSE(route.ok()) << path;
    EXPECT_EQ(route.status().code(), StatusCode::kInvalidArgument) << path;
  }
}

TEST(FhirRouteTest, IdSyntax) {
  EXPECT_TRUE(IsValidFhirId("a"));
  EXPECT_TRUE(IsValidFhirId(std::string(64, 'Z')));
  EXPECT_FALSE(IsValidFhirId(""));
  EXPECT_FALSE(IsValidFhirId("a/b"));
  EXPECT_FALSE(IsValidFhirId("é"));
}

}  // namespace
}  // namespace duet::gateway
