#include "gateway/http/cpprest_http_server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "fhir/json.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::gateway {
namespace {

using test::HttpsClient;
using test::HttpsResponse;

// Calls a test-provided function and remembers the last request it saw.
class ScriptedHandler : public HttpHandler {
 public:
  using Script = std::function<HttpResponse(const HttpRequest&)>;
  explicit ScriptedHandler(Script script) : script_(std::move(script)) {}

  HttpResponse Handle(const HttpRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      last_ = request;
      ++calls_;
    }
    return script_(request);
  }
  HttpRequest last() {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_;
  }
  int calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

 private:
  Script script_;
  std::mutex mutex_;
  HttpRequest last_;
  int calls_ = 0;
};

HttpResponse Echo(const HttpRequest& request) {
  HttpResponse response;
  response.headers.Set("Content-Type", "text/plain");
  response.body = request.body;
  return response;
}

std::shared_ptr<const TlsSettings> DevTls() {
  auto tls = TlsSettings::Load(
      {test::TestCertsDir() + "/server.pem", test::TestCertsDir() + "/server.key", ""});
  EXPECT_TRUE(tls.ok()) << tls.status().ToString();
  return tls.ok() ? *tls : nullptr;
}

class CpprestHttpServerTest : public ::testing::Test {
 protected:
  void StartServer(ScriptedHandler::Script script, size_t max_body_bytes = 4096) {
    handler_ = std::make_shared<ScriptedHandler>(std::move(script));
    options_.host = "127.0.0.1";
    options_.port = test::PickFreePort();
    options_.threads = 4;
    options_.max_body_bytes = max_body_bytes;
    options_.tls = DevTls();
    server_ = std::make_unique<CpprestHttpServer>(options_, handler_);
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  HttpsClient Client() { return HttpsClient(server_->url()); }

  HttpServerOptions options_;
  std::shared_ptr<ScriptedHandler> handler_;
  std::unique_ptr<CpprestHttpServer> server_;
};

TEST_F(CpprestHttpServerTest, ConvertsTheRequest) {
  StartServer(Echo);
  HttpsClient client = Client();
  HttpsResponse response =
      client.Post("/fhir/a%20b/c+d?name=Jos%C3%A9&x=1+2&flag", "{\"resourceType\":\"Patient\"}",
                  {{"Content-Type", "application/fhir+json"}, {"X-Trace", "abc"}});
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_EQ(response.status, 200);
  HttpRequest seen = handler_->last();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/fhir/a b/c+d");
  EXPECT_EQ(seen.raw_query, "name=Jos%C3%A9&x=1+2&flag");
  std::vector<std::pair<std::string, std::string>> expected_query = {
      {"name", "Jos\xC3\xA9"}, {"x", "1 2"}, {"flag", ""}};
  EXPECT_EQ(seen.query, expected_query);
  ASSERT_NE(seen.headers.Find("x-trace"), nullptr);
  EXPECT_EQ(*seen.headers.Find("x-trace"), "abc");
  ASSERT_NE(seen.headers.Find("Content-Type"), nullptr);
  EXPECT_EQ(*seen.headers.Find("Content-Type"), "application/fhir+json");
  EXPECT_EQ(seen.body, "{\"resourceType\":\"Patient\"}");
  EXPECT_EQ(seen.remote_address, "127.0.0.1");
  EXPECT_EQ(seen.base_url, server_->url());
  EXPECT_EQ(response.body, seen.body);
}

TEST_F(CpprestHttpServerTest, EveryMethodReachesTheHandler) {
  StartServer(Echo);
  HttpsClient client = Client();
  for (const char* method : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
    HttpsResponse response = client.Send(method, "/x", method == std::string("GET") ? "" : "b");
    ASSERT_TRUE(response.ok()) << method << ": " << response.error;
    EXPECT_EQ(handler_->last().method, method);
  }
}

TEST_F(CpprestHttpServerTest, WritesStatusHeadersAndBody) {
  StartServer([](const HttpRequest&) {
    HttpResponse response;
    response.status = 201;
    response.headers.Set("Location", "https://example.org/fhir/Patient/1/_history/1");
    response.headers.Set("ETag", "W/\"1\"");
    response.headers.Set("Content-Type", "application/fhir+json; charset=utf-8");
    response.body = "{\"id\":\"1\"}";
    return response;
  });
  HttpsClient client = Client();
  HttpsResponse response = client.Post("/fhir/Patient", "{}");
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_EQ(response.status, 201);
  ASSERT_NE(response.Header("location"), nullptr);
  EXPECT_EQ(*response.Header("location"), "https://example.org/fhir/Patient/1/_history/1");
  ASSERT_NE(response.Header("etag"), nullptr);
  EXPECT_EQ(*response.Header("etag"), "W/\"1\"");
  ASSERT_NE(response.Header("content-type"), nullptr);
  EXPECT_EQ(*response.Header("content-type"), "application/fhir+json; charset=utf-8");
  EXPECT_EQ(response.body, "{\"id\":\"1\"}");
}

TEST_F(CpprestHttpServerTest, HeadAnswersWithTheContentTypeButWithoutABody) {
  StartServer(Echo);
  HttpsClient client = Client();
  HttpsResponse head = client.Send("HEAD", "/x", "");
  ASSERT_TRUE(head.ok()) << head.error;
  EXPECT_EQ(head.status, 200);
  ASSERT_NE(head.Header("content-type"), nullptr) << "the type a GET would have";
  EXPECT_EQ(*head.Header("content-type"), "text/plain");
  EXPECT_EQ(head.body, "");
  // The connection stays usable: no stray body bytes were sent.
  HttpsResponse next = client.Post("/x", "after");
  ASSERT_TRUE(next.ok()) << next.error;
  EXPECT_EQ(next.body, "after");
}

TEST_F(CpprestHttpServerTest, BodyAtTheCapIsAccepted) {
  StartServer(Echo, 4096);
  HttpsClient client = Client();
  std::string body(4096, 'a');
  HttpsResponse fixed = client.Post("/x", body);
  ASSERT_TRUE(fixed.ok()) << fixed.error;
  EXPECT_EQ(fixed.status, 200);
  EXPECT_EQ(fixed.body, body);
  HttpsResponse chunked = client.Send("POST", "/x", body, {}, /*chunked=*/true);
  ASSERT_TRUE(chunked.ok()) << chunked.error;
  EXPECT_EQ(chunked.status, 200);
  EXPECT_EQ(chunked.body, body);
}

TEST_F(CpprestHttpServerTest, DeclaredBodyOverTheCapIs413WithoutCallingTheHandler) {
  StartServer(Echo, 4096);
  HttpsClient client = Client();
  HttpsResponse response = client.Post("/x", std::string(4097, 'a'));
  EXPECT_EQ(response.status, 413) << response.error;
  StatusOr<fhir::Json> body = fhir::ParseJson(response.body);
  ASSERT_TRUE(body.ok()) << response.body;
  EXPECT_EQ(body->StringOr("error"), "request body larger than 4096 bytes");
  EXPECT_EQ(handler_->calls(), 0);
}

TEST_F(CpprestHttpServerTest, ChunkedBodyOverTheCapIs413) {
  StartServer(Echo, 4096);
  HttpsClient client = Client();
  HttpsResponse response = client.Send("POST", "/x", std::string(2 * 1024 * 1024, 'a'), {},
                                       /*chunked=*/true);
  EXPECT_EQ(response.status, 413) << response.error;
  EXPECT_EQ(handler_->calls(), 0);
  // The server is still healthy afterwards.
  HttpsClient fresh = Client();
  EXPECT_EQ(fresh.Post("/x", "ok").status, 200);
}

TEST_F(CpprestHttpServerTest, LargeUploadStillGets413AndTheConnectionIsReused) {
  StartServer(Echo, 4096);
  HttpsClient client = Client();
  HttpsResponse response = client.Post("/x", std::string(8 * 1024 * 1024, 'a'));
  EXPECT_EQ(response.status, 413) << response.error;
  EXPECT_EQ(handler_->calls(), 0);
  HttpsResponse next = client.Post("/x", "ok");
  EXPECT_EQ(next.status, 200) << next.error;
  EXPECT_EQ(next.new_connections, 0);
}

TEST_F(CpprestHttpServerTest, HugeDeclaredBodyIsCutOffAndTheServerStaysUp) {
  StartServer(Echo, 4096);
  HttpsClient client = Client();
  HttpsResponse response = client.Post("/x", std::string(40 * 1024 * 1024, 'a'));
  // The server answers 413 and drops the connection without reading the upload; curl may see
  // the reset before the answer.
  if (response.status != 0) {
    EXPECT_EQ(response.status, 413);
  }
  EXPECT_EQ(handler_->calls(), 0);
  HttpsClient fresh = Client();
  EXPECT_EQ(fresh.Post("/x", "ok").status, 200);
}

TEST_F(CpprestHttpServerTest, HandlerExceptionBecomesJson500) {
  StartServer([](const HttpRequest& request) -> HttpResponse {
    if (request.path == "/boom") throw std::runtime_error("kaboom");
    return Echo(request);
  });
  HttpsClient client = Client();
  HttpsResponse response = client.Get("/boom");
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_EQ(response.status, 500);
  StatusOr<fhir::Json> body = fhir::ParseJson(response.body);
  ASSERT_TRUE(body.ok()) << response.body;
  EXPECT_EQ(body->StringOr("error"), "internal server error");
  EXPECT_EQ(response.body.find("kaboom"), std::string::npos);  // no internals leak
  EXPECT_EQ(client.Post("/fine", "x").status, 200);
}

TEST_F(CpprestHttpServerTest, KeepsConnectionsAlive) {
  StartServer(Echo);
  HttpsClient client = Client();
  HttpsResponse first = client.Get("/a");
  HttpsResponse second = client.Get("/b");
  ASSERT_TRUE(first.ok() && second.ok()) << first.error << second.error;
  EXPECT_EQ(first.new_connections, 1);
  EXPECT_EQ(second.new_connections, 0);
}

TEST_F(CpprestHttpServerTest, ServesConcurrentClients) {
  StartServer(Echo);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      HttpsClient client = Client();
      for (int i = 0; i < 20; ++i) {
        std::string body = std::to_string(t) + "-" + std::to_string(i);
        HttpsResponse response = client.Post("/x", body);
        if (response.status == 200 && response.body == body) ++ok;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 160);
}

TEST_F(CpprestHttpServerTest, StopLetsInFlightRequestsFinish) {
  StartServer([](const HttpRequest& request) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return Echo(request);
  });
  HttpsResponse slow;
  std::thread caller([&] {
    HttpsClient client = Client();
    slow = client.Post("/slow", "payload");
  });
  while (handler_->calls() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server_->Stop();
  caller.join();
  EXPECT_EQ(slow.status, 200) << slow.error;
  EXPECT_EQ(slow.body, "payload");
  HttpsClient late = Client();
  EXPECT_FALSE(late.Get("/x").ok());  // no longer listening
}

TEST(CpprestHttpServerStartTest, PortInUseIsAClearStartError) {
  int port = test::PickFreePort();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  options.tls = DevTls();
  CpprestHttpServer server(options, std::make_shared<ScriptedHandler>(Echo));
  Status started = server.Start();
  close(fd);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.message().find("cannot listen on 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << started.message();
  EXPECT_NE(started.message().find("in use"), std::string::npos) << started.message();
}

TEST(CpprestHttpServerStartTest, RequiresTlsSettings) {
  HttpServerOptions options;
  options.port = test::PickFreePort();
  CpprestHttpServer server(options, std::make_shared<ScriptedHandler>(Echo));
  EXPECT_EQ(server.Start().code(), StatusCode::kInvalidArgument);
}

TEST(CpprestHttpServerStartTest, UnresolvableHostIsAClearStartError) {
  HttpServerOptions options;
  options.host = "no-such-host.invalid";
  options.port = test::PickFreePort();
  options.tls = DevTls();
  CpprestHttpServer server(options, std::make_shared<ScriptedHandler>(Echo));
  Status started = server.Start();
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.message().find("no-such-host.invalid"), std::string::npos) << started.message();
}

TEST(CpprestHttpServerStartTest, UrlBracketsIpv6Literals) {
  HttpServerOptions options;
  options.host = "::1";
  options.port = 8443;
  CpprestHttpServer server(options, std::make_shared<ScriptedHandler>(Echo));
  EXPECT_EQ(server.url(), "https://[::1]:8443");
}

}  // namespace
}  // namespace duet::gateway
