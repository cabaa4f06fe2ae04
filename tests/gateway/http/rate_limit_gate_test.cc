#include "gateway/http/rate_limit_gate.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gateway/fhir_api/fhir_response.h"
#include "gateway/http/router.h"

namespace duet::gateway {
namespace {

// Answers 200 "ok"; failures as an OperationOutcome, as the FHIR API does.
class OkHandler : public HttpHandler {
 public:
  HttpResponse Handle(const HttpRequest&) override {
    HttpResponse response;
    response.body = "ok";
    return response;
  }
  HttpResponse Failure(int status, const std::string&, const std::string& message) const override {
    return FailureResponse(status, message);
  }
};

class RateLimitGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto router = std::make_shared<Router>();
    ASSERT_TRUE(router->Mount("/fhir", std::make_shared<OkHandler>()).ok());
    ASSERT_TRUE(router->Mount("/healthz", std::make_shared<OkHandler>()).ok());
    gate_ = std::make_unique<RateLimitGate>(
        router, std::make_shared<RateLimiter>(/*per_second=*/1, /*burst=*/2),
        [](const HttpRequest& request) { return "address " + request.remote_address; },
        [this] { return now_; });
  }
  HttpResponse Get(const std::string& path, const std::string& address = "10.0.0.1") {
    HttpRequest request;
    request.method = "GET";
    request.path = path;
    request.remote_address = address;
    return gate_->Handle(request);
  }

  RateLimiter::Clock::time_point now_ = RateLimiter::Clock::time_point() + std::chrono::hours(1);
  std::unique_ptr<RateLimitGate> gate_;
};

TEST_F(RateLimitGateTest, AnswersTooManyRequestsWithRetryAfterInTheApisFormat) {
  EXPECT_EQ(Get("/fhir/CarePlan/1").status, 200);
  EXPECT_EQ(Get("/fhir/CarePlan/1").status, 200);
  HttpResponse refused = Get("/fhir/CarePlan/1");
  EXPECT_EQ(refused.status, 429);
  ASSERT_NE(refused.headers.Find("Retry-After"), nullptr);
  EXPECT_EQ(*refused.headers.Find("Retry-After"), "1");
  EXPECT_NE(refused.body.find("\"resourceType\":\"OperationOutcome\""), std::string::npos)
      << refused.body;
  EXPECT_NE(refused.body.find("\"code\":\"throttled\""), std::string::npos) << refused.body;
  EXPECT_EQ(Get("/fhir/CarePlan/1", "10.0.0.2").status, 200);  // another client
  now_ += std::chrono::seconds(1);
  EXPECT_EQ(Get("/fhir/CarePlan/1").status, 200);
}

TEST_F(RateLimitGateTest, HealthChecksAreNeverLimited) {
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Get("/healthz").status, 200) << i;
  EXPECT_EQ(Get("/fhir/metadata").status, 200);
}

}  // namespace
}  // namespace duet::gateway
