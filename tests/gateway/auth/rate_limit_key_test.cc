#include "gateway/auth/rate_limit_key.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace duet::gateway {
namespace {

constexpr int64_t kNow = 1795800000;

class NoHandler : public HttpHandler {
 public:
  HttpResponse Handle(const HttpRequest&) override { return {}; }
};

HttpRequest Request(const std::string& path, const std::string& token = "") {
  HttpRequest request;
  request.method = "GET";
  request.path = path;
  request.remote_address = "192.0.2.7";
  if (!token.empty()) request.headers.Set("Authorization", "Bearer " + token);
  return request;
}

TEST(RateLimitKeyTest, NamesTheSmartClientThePracticeOrTheAddress) {
  AccessTokens tokens;
  Principal principal{"evim-ehr", "1620193841", {}, kNow + 300};
  std::string token = *tokens.Issue(principal, kNow);
  auto file = std::filesystem::temp_directory_path() / "rate_limit_key_test.token";
  const std::string practice_token(40, 'p');
  std::ofstream(file) << practice_token;
  auto gate = StaticBearerGate::Create(std::make_shared<NoHandler>(), file.string());
  std::filesystem::remove(file);
  ASSERT_TRUE(gate.ok()) << gate.status().ToString();
  RateLimitKey key(&tokens, gate->get(), [] { return kNow; });

  EXPECT_EQ(key(Request("/fhir/CarePlan/1", token)), "client evim-ehr");
  EXPECT_EQ(key(Request("/fhir", token)), "client evim-ehr");
  EXPECT_EQ(key(Request("/practice/v1/records", practice_token)), "practice");
  // Unknown tokens, the token endpoint, anything unauthenticated: by address.
  EXPECT_EQ(key(Request("/fhir/CarePlan/1", "guessed")), "address 192.0.2.7");
  EXPECT_EQ(key(Request("/fhir/CarePlan/1")), "address 192.0.2.7");
  EXPECT_EQ(key(Request("/auth/token", token)), "address 192.0.2.7");
  EXPECT_EQ(key(Request("/practice/v1/records", token)), "address 192.0.2.7");
  EXPECT_EQ(key(Request("/fhirx/CarePlan", token)), "address 192.0.2.7");
  // An expired token is no client any more.
  RateLimitKey later(&tokens, gate->get(), [] { return kNow + 301; });
  EXPECT_EQ(later(Request("/fhir/CarePlan/1", token)), "address 192.0.2.7");
}

TEST(RateLimitKeyTest, DevelopmentModeChargesEveryRequestToItsAddress) {
  RateLimitKey key(nullptr, nullptr, [] { return kNow; });
  EXPECT_EQ(key(Request("/fhir/CarePlan/1", "anything")), "address 192.0.2.7");
  EXPECT_EQ(key(Request("/practice/v1/records", "anything")), "address 192.0.2.7");
}

}  // namespace
}  // namespace duet::gateway
