#include "gateway/server/route_template.h"

#include <gtest/gtest.h>

namespace duet::gateway {
namespace {

TEST(RouteTemplateTest, FhirPathsBecomeTemplatesWithoutIds) {
  EXPECT_EQ(RouteTemplate("/fhir"), "/fhir");
  EXPECT_EQ(RouteTemplate("/fhir/metadata"), "/fhir/metadata");
  EXPECT_EQ(RouteTemplate("/fhir/_history"), "/fhir/_history");
  EXPECT_EQ(RouteTemplate("/fhir/CarePlan"), "/fhir/{type}");
  EXPECT_EQ(RouteTemplate("/fhir/CarePlan/_search"), "/fhir/{type}/_search");
  EXPECT_EQ(RouteTemplate("/fhir/CarePlan/_history"), "/fhir/{type}/_history");
  EXPECT_EQ(RouteTemplate("/fhir/Patient/pt-004512"), "/fhir/{type}/{id}");
  EXPECT_EQ(RouteTemplate("/fhir/Patient/pt-1/_history"), "/fhir/{type}/{id}/_history");
  EXPECT_EQ(RouteTemplate("/fhir/Patient/pt-1/_history/3"), "/fhir/{type}/{id}/_history/{vid}");
  EXPECT_EQ(RouteTemplate("/fhir/.well-known/smart-configuration"),
            "/fhir/.well-known/smart-configuration");
}

TEST(RouteTemplateTest, PathsAClientMadeUpShareOneLabel) {
  EXPECT_EQ(RouteTemplate("/fhir/NoSuchType/1"), "/fhir/{type}/{id}");  // a 404, by status
  EXPECT_EQ(RouteTemplate("/fhir/lowercase"), "/fhir/{unknown}");
  EXPECT_EQ(RouteTemplate("/fhir/Patient/1/_history/x y"), "/fhir/{unknown}");
  EXPECT_EQ(RouteTemplate("/fhir/a/b/c/d/e"), "/fhir/{unknown}");
  EXPECT_EQ(RouteTemplate("/fhir/Patient/1/$everything"), "/fhir/{unknown}");
  EXPECT_EQ(RouteTemplate("/fhir/Patient/bad id!"), "/fhir/{unknown}");
  EXPECT_EQ(RouteTemplate("/anything/else/42"), "other");
  EXPECT_EQ(RouteTemplate("/fhirx"), "other");
  EXPECT_EQ(RouteTemplate("/admin/v1/audit"), "/admin/v1/*");
  EXPECT_EQ(RouteTemplate("/auth/whatever"), "/auth/*");
}

TEST(RouteTemplateTest, OpsPracticeAndAuthRoutes) {
  EXPECT_EQ(RouteTemplate("/healthz"), "/healthz");
  EXPECT_EQ(RouteTemplate("/readyz"), "/readyz");
  EXPECT_EQ(RouteTemplate("/metrics"), "/metrics");
  EXPECT_EQ(RouteTemplate("/auth/token"), "/auth/token");
  EXPECT_EQ(RouteTemplate("/practice/v1/records"), "/practice/v1/records");
  EXPECT_EQ(RouteTemplate("/practice/v1/referrals"), "/practice/v1/referrals");
  EXPECT_EQ(RouteTemplate("/practice/v1/patient/PT-004512"), "/practice/v1/{type}/{id}");
  EXPECT_EQ(RouteTemplate("/practice/v1/a/b/c"), "/practice/v1/{unknown}");
}

TEST(RouteTemplateTest, MethodLabelsAreBounded) {
  EXPECT_EQ(MethodLabel("GET"), "GET");
  EXPECT_EQ(MethodLabel("DELETE"), "DELETE");
  EXPECT_EQ(MethodLabel("BREW"), "other");
  EXPECT_EQ(MethodLabel("get"), "other");
}

}  // namespace
}  // namespace duet::gateway
