// Connection and rate limits of a real `duet serve` process (issue 5, hardening): idle and slow
// connections are closed by the server within their bounds, oversized headers are refused, and
// a client past its request rate gets 429 with Retry-After, then gets through after waiting.
// These tests wait on purpose (the bounds are seconds); each keeps to a few seconds.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "fhir/json.h"
#include "tests/support/https_client.h"
#include "tests/support/raw_connection.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

Json Limits(const std::string& json) {
  auto parsed = fhir::ParseJson("{\"limits\": " + json + "}");
  EXPECT_TRUE(parsed.ok()) << json;
  return parsed.ok() ? std::move(*parsed) : Json::MakeObject();
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// idle 2 s, request 3 s, headers at most 4 KiB, bodies at most 1 KiB.
class ConnectionLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestServerOptions options;
    options.extra_config = Limits(R"({"idle_timeout_seconds": 2, "request_timeout_seconds": 3,
                   "max_header_bytes": 4096, "max_body_bytes": 1024})");
    server_ = std::make_unique<TestServer>(std::move(options));
    ASSERT_TRUE(server_->Start().ok()) << server_->log();
  }
  std::unique_ptr<TestServer> server_;
};

TEST_F(ConnectionLimitsTest, AConnectionThatSendsNothingIsClosedAfterTheIdleTimeout) {
  RawConnection tcp(server_->port(), /*tls=*/false);
  ASSERT_TRUE(tcp.ok());
  auto start = Clock::now();
  EXPECT_TRUE(tcp.ClosedWithin(seconds(5)));
  EXPECT_GE(SecondsSince(start), 1.5);
  EXPECT_LE(SecondsSince(start), 3.5);
}

TEST_F(ConnectionLimitsTest, AnIdleKeepAliveConnectionIsClosedAndABusyOneIsNot) {
  RawConnection tls(server_->port(), /*tls=*/true);
  ASSERT_TRUE(tls.ok());
  const std::string request = "GET /fhir/metadata HTTP/1.1\r\nHost: localhost\r\n\r\n";
  // A request every second for four seconds: twice the idle timeout, on one connection.
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(tls.Send(request)) << i;
    EXPECT_EQ(tls.Read(milliseconds(1000)).rfind("HTTP/1.1 200", 0), 0u) << i;
  }
  auto start = Clock::now();
  EXPECT_TRUE(tls.ClosedWithin(seconds(5)));
  EXPECT_LE(SecondsSince(start), 3.5);
}

TEST_F(ConnectionLimitsTest, HeadersSentOneByteASecondAreCutAtTheRequestTimeout) {
  RawConnection tls(server_->port(), /*tls=*/true);
  ASSERT_TRUE(tls.ok());
  const std::string request = "GET /fhir/metadata HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";
  auto start = Clock::now();
  bool closed = false;
  for (size_t i = 0; i < 10 && !closed; ++i) {
    closed = !tls.Send(std::string(1, request[i % request.size()])) ||
             tls.ClosedWithin(milliseconds(1000));
  }
  EXPECT_TRUE(closed);
  // Never idle (a byte a second), but no complete request within 3 s.
  EXPECT_GE(SecondsSince(start), 2.5);
  EXPECT_LE(SecondsSince(start), 4.5);
}

TEST_F(ConnectionLimitsTest, OversizedHeadersAre431AndTheConnectionIsClosed) {
  RawConnection tls(server_->port(), /*tls=*/true);
  ASSERT_TRUE(tls.ok());
  ASSERT_TRUE(tls.Send("GET /fhir/metadata HTTP/1.1\r\nHost: localhost\r\nX-Big: " +
                       std::string(8000, 'a') + "\r\n\r\n"));
  std::string answer = tls.Read(milliseconds(3000));
  EXPECT_EQ(answer.rfind("HTTP/1.1 431", 0), 0u) << answer.substr(0, 200);
  EXPECT_NE(answer.find("OperationOutcome"), std::string::npos) << answer;
  EXPECT_TRUE(tls.ClosedWithin(seconds(1)));
}

TEST_F(ConnectionLimitsTest, HeadersWithoutEndAreCutOffPastTheRequestSizeBound) {
  RawConnection tls(server_->port(), /*tls=*/true);
  ASSERT_TRUE(tls.ok());
  ASSERT_TRUE(tls.Send("GET /fhir/metadata HTTP/1.1\r\nHost: localhost\r\nX-Endless: "));
  // The bound is headers + body cap + 16 MiB of discarded upload (~16 MiB here), checked four
  // times a second; the server must close long before 256 MiB have gone out.
  const std::string chunk(1 << 20, 'a');
  size_t sent = 0;
  while (sent < (size_t{256} << 20) && tls.Send(chunk)) sent += chunk.size();
  EXPECT_LT(sent, size_t{256} << 20) << "the server kept reading headers without end";
  EXPECT_GE(sent, size_t{16} << 20);
}

TEST(RateLimitTest, ABurstIsAnswered429WithRetryAfterAndGetsThroughAfterWaiting) {
  TestServerOptions options;
  options.extra_config = Limits(R"({"requests_per_second": 1, "burst": 3})");
  TestServer server(std::move(options));
  ASSERT_TRUE(server.Start().ok()) << server.log();
  HttpsClient client = server.Client();
  int ok = 0;
  HttpsResponse refused;
  for (int i = 0; i < 6; ++i) {
    HttpsResponse response = client.Get("/fhir/metadata");
    if (response.status == 200) {
      ++ok;
    } else {
      refused = response;
    }
  }
  EXPECT_GE(ok, 3);
  EXPECT_LE(ok, 4);  // 3 at once, perhaps a fourth refilled while they ran
  ASSERT_EQ(refused.status, 429) << refused.body;
  ASSERT_NE(refused.Header("Retry-After"), nullptr);
  int retry_after = std::stoi(*refused.Header("Retry-After"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 1);  // one request refills in a second at 1/s
  auto outcome = fhir::ParseJson(refused.body);
  ASSERT_TRUE(outcome.ok()) << refused.body;
  EXPECT_EQ(outcome->StringOr("resourceType"), "OperationOutcome");
  EXPECT_NE(refused.body.find("\"throttled\""), std::string::npos) << refused.body;
  // Health checks are never limited.
  EXPECT_EQ(client.Get("/healthz").status, 200);
  std::this_thread::sleep_for(seconds(retry_after));
  EXPECT_EQ(client.Get("/fhir/metadata").status, 200);
}

}  // namespace
}  // namespace duet::test
