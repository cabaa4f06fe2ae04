#include "gateway/server/health_handler.h"

#include <gtest/gtest.h>

namespace duet::gateway {
namespace {

HttpRequest Request(std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

TEST(HealthHandlerTest, GetAnswersOk) {
  HealthHandler handler;
  HttpResponse response = handler.Handle(Request("GET", "/healthz"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"status":"ok"})");
  ASSERT_NE(response.headers.Find("content-type"), nullptr);
  EXPECT_EQ(*response.headers.Find("content-type"), "application/json");
}

TEST(HealthHandlerTest, OtherMethodsAre405WithAllow) {
  HealthHandler handler;
  HttpResponse response = handler.Handle(Request("POST", "/healthz"));
  EXPECT_EQ(response.status, 405);
  ASSERT_NE(response.headers.Find("Allow"), nullptr);
  EXPECT_EQ(*response.headers.Find("Allow"), "GET, HEAD");
}

TEST(HealthHandlerTest, PathsBelowAre404) {
  HealthHandler handler;
  EXPECT_EQ(handler.Handle(Request("GET", "/healthz/deep")).status, 404);
}

}  // namespace
}  // namespace duet::gateway
