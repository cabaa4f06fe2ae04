#include "gateway/server/ready_handler.h"

#include <gtest/gtest.h>

#include <atomic>

#include "fhir/json.h"

namespace duet::gateway {
namespace {

HttpRequest Get(const std::string& path) {
  HttpRequest request;
  request.method = "GET";
  request.path = path;
  return request;
}

TEST(ReadyHandlerTest, ReadyWhenEveryCheckPasses) {
  ReadyHandler handler({{"store", "down", [] { return Status::Ok(); }},
                        {"certificate", "expired", [] { return Status::Ok(); }}});
  HttpResponse response = handler.Handle(Get("/readyz"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"status":"ready"})");
  EXPECT_EQ(*response.headers.Find("Content-Type"), "application/json");
}

TEST(ReadyHandlerTest, NamesEachFailingCheckWithoutItsDetails) {
  ReadyHandler handler(
      {{"store", "the store does not answer",
        [] { return UnavailableError("sqlite: cannot open /secret/path/duet.db"); }},
       {"certificate", "expired", [] { return Status::Ok(); }},
       {"shutdown", "the gateway is shutting down", [] { return UnavailableError("stopping"); }}});
  HttpResponse response = handler.Handle(Get("/readyz"));
  EXPECT_EQ(response.status, 503);
  auto body = fhir::ParseJson(response.body);
  ASSERT_TRUE(body.ok()) << response.body;
  EXPECT_EQ(body->Find("status")->string_value(), "not ready");
  const fhir::Json* failing = body->Find("failing");
  ASSERT_NE(failing, nullptr);
  EXPECT_EQ(failing->members().size(), 2u);
  EXPECT_EQ(failing->Find("store")->string_value(), "the store does not answer");
  EXPECT_EQ(failing->Find("shutdown")->string_value(), "the gateway is shutting down");
  EXPECT_EQ(response.body.find("/secret/path"), std::string::npos);
}

TEST(ReadyHandlerTest, FlipsBackWhenTheCheckPassesAgain) {
  std::atomic<bool> up{false};
  ReadyHandler handler({{"shutdown", "stopping",
                         [&]() -> Status { return up ? Status::Ok() : UnavailableError("no"); }}});
  EXPECT_EQ(handler.Handle(Get("/readyz")).status, 503);
  up = true;
  EXPECT_EQ(handler.Handle(Get("/readyz")).status, 200);
}

TEST(ReadyHandlerTest, ACachedCheckRunsOncePerInterval) {
  int runs = 0;
  ReadyHandler handler({{"store", "down",
                         [&] {
                           ++runs;
                           return Status::Ok();
                         },
                         /*cached=*/true}},
                       std::chrono::hours(1));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(handler.Handle(Get("/readyz")).status, 200);
  EXPECT_EQ(runs, 1);
}

TEST(ReadyHandlerTest, AZeroIntervalRunsTheCachedCheckEveryTime) {
  int runs = 0;
  ReadyHandler handler({{"store", "down",
                         [&] {
                           ++runs;
                           return Status::Ok();
                         },
                         /*cached=*/true}},
                       std::chrono::milliseconds(0));
  for (int i = 0; i < 3; ++i) handler.Handle(Get("/readyz"));
  EXPECT_EQ(runs, 3);
}

TEST(ReadyHandlerTest, OnlyGetAndHeadOnItsPath) {
  ReadyHandler handler({});
  HttpRequest post = Get("/readyz");
  post.method = "POST";
  EXPECT_EQ(handler.Handle(post).status, 405);
  EXPECT_EQ(handler.Handle(Get("/readyz/x")).status, 404);
}

}  // namespace
}  // namespace duet::gateway
