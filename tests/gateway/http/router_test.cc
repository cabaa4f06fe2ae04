#include "gateway/http/router.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "fhir/json.h"

namespace duet::gateway {
namespace {

// Answers with its own name so the test can see who was chosen.
class NamedHandler : public HttpHandler {
 public:
  explicit NamedHandler(std::string name) : name_(std::move(name)) {}
  HttpResponse Handle(const HttpRequest& request) override {
    HttpResponse response;
    response.body = name_ + " " + request.path;
    return response;
  }

 private:
  std::string name_;
};

HttpRequest Get(std::string path) {
  HttpRequest request;
  request.method = "GET";
  request.path = std::move(path);
  return request;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_.Mount("/fhir", std::make_shared<NamedHandler>("fhir")).ok());
    ASSERT_TRUE(router_.Mount("/fhir/metadata", std::make_shared<NamedHandler>("meta")).ok());
    ASSERT_TRUE(router_.Mount("/healthz", std::make_shared<NamedHandler>("health")).ok());
  }
  Router router_;
};

TEST_F(RouterTest, PrefixMatchesItselfAndBelow) {
  EXPECT_EQ(router_.Handle(Get("/fhir")).body, "fhir /fhir");
  EXPECT_EQ(router_.Handle(Get("/fhir/")).body, "fhir /fhir/");
  EXPECT_EQ(router_.Handle(Get("/fhir/Patient/1")).body, "fhir /fhir/Patient/1");
  EXPECT_EQ(router_.Handle(Get("/healthz")).body, "health /healthz");
}

TEST_F(RouterTest, LongestPrefixWins) {
  EXPECT_EQ(router_.Handle(Get("/fhir/metadata")).body, "meta /fhir/metadata");
  EXPECT_EQ(router_.Handle(Get("/fhir/metadata/x")).body, "meta /fhir/metadata/x");
  EXPECT_EQ(router_.Handle(Get("/fhir/metadatax")).body, "fhir /fhir/metadatax");
}

TEST_F(RouterTest, DoesNotMatchAPrefixOfAWord) {
  HttpResponse response = router_.Handle(Get("/fhirx"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(router_.Find("/fhirx"), nullptr);
  EXPECT_EQ(router_.Find("/healthzz"), nullptr);
}

TEST_F(RouterTest, UnknownPathIsJson404NamingThePath) {
  HttpResponse response = router_.Handle(Get("/nope/\"quoted\""));
  EXPECT_EQ(response.status, 404);
  ASSERT_NE(response.headers.Find("Content-Type"), nullptr);
  EXPECT_EQ(*response.headers.Find("Content-Type"), "application/json");
  StatusOr<fhir::Json> body = fhir::ParseJson(response.body);
  ASSERT_TRUE(body.ok()) << response.body;
  EXPECT_NE(body->StringOr("error").find("/nope/\"quoted\""), std::string::npos);
}

TEST_F(RouterTest, RootPrefixCatchesEverythingElse) {
  ASSERT_TRUE(router_.Mount("/", std::make_shared<NamedHandler>("root")).ok());
  EXPECT_EQ(router_.Handle(Get("/anything")).body, "root /anything");
  EXPECT_EQ(router_.Handle(Get("/fhir/x")).body, "fhir /fhir/x");
}

TEST(RouterMountTest, RejectsBadPrefixesAndDuplicates) {
  Router router;
  auto handler = std::make_shared<NamedHandler>("h");
  EXPECT_EQ(router.Mount("fhir", handler).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Mount("/fhir/", handler).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Mount("", handler).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Mount("/fhir", nullptr).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(router.Mount("/fhir", handler).ok());
  EXPECT_EQ(router.Mount("/fhir", handler).code(), StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace duet::gateway
