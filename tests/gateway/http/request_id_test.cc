// Request ids and the RequestObserver, through the real cpprestsdk adapter.
#include "gateway/http/request_id.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "gateway/http/cpprest_http_server.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::gateway {
namespace {

TEST(RequestIdTest, AcceptsOnlySaneIds) {
  EXPECT_TRUE(IsAcceptableRequestId("abc-123_X.y"));
  EXPECT_TRUE(IsAcceptableRequestId(std::string(64, 'a')));
  EXPECT_FALSE(IsAcceptableRequestId(""));
  EXPECT_FALSE(IsAcceptableRequestId(std::string(65, 'a')));
  EXPECT_FALSE(IsAcceptableRequestId("has space"));
  EXPECT_FALSE(IsAcceptableRequestId("new\nline"));
  EXPECT_FALSE(IsAcceptableRequestId("{\"json\":1}"));
}

TEST(RequestIdTest, KeepsASaneIncomingIdAndReplacesOthers) {
  std::string sane = "client-42";
  std::string insane = "bad id";
  EXPECT_EQ(AcceptOrMakeRequestId(&sane), "client-42");
  std::string made = AcceptOrMakeRequestId(&insane);
  EXPECT_NE(made, insane);
  EXPECT_TRUE(IsAcceptableRequestId(made));
  EXPECT_EQ(AcceptOrMakeRequestId(nullptr).size(), 32u);
}

TEST(RequestIdTest, MadeIdsAreDistinct) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(MakeRequestId());
  EXPECT_EQ(ids.size(), 1000u);
}

// Remembers what the server reported.
class RecordingObserver : public RequestObserver {
 public:
  struct Record {
    std::string request_id, method, path;
    int status = 0;
    size_t bytes = 0;
  };
  void OnStarted() override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++started_;
  }
  void OnFinished(const FinishedRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    records_.push_back({std::string(request.request_id), std::string(request.method),
                        std::string(request.path), request.status, request.response_bytes});
    changed_.notify_all();
  }
  // Waits (bounded) until `count` requests finished; the records so far.
  std::vector<Record> WaitFor(size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return records_.size() >= count; });
    return records_;
  }
  int started() {
    std::lock_guard<std::mutex> lock(mutex_);
    return started_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Record> records_;
  int started_ = 0;
};

class SeenIdHandler : public HttpHandler {
 public:
  HttpResponse Handle(const HttpRequest& request) override {
    HttpResponse response;
    response.status = request.path == "/missing" ? 404 : 200;
    response.headers.Set("Content-Type", "text/plain");
    response.body = request.request_id;  // what the handler saw
    return response;
  }
};

class RequestIdServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tls = TlsSettings::Load(
        {test::TestCertsDir() + "/server.pem", test::TestCertsDir() + "/server.key", ""});
    ASSERT_TRUE(tls.ok()) << tls.status().ToString();
    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = test::PickFreePort();
    options.threads = 4;
    options.max_body_bytes = 1024;
    options.tls = *tls;
    options.observer = observer_;
    server_ = std::make_unique<CpprestHttpServer>(options, std::make_shared<SeenIdHandler>());
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  std::shared_ptr<RecordingObserver> observer_ = std::make_shared<RecordingObserver>();
  std::unique_ptr<CpprestHttpServer> server_;
};

TEST_F(RequestIdServerTest, EveryAnswerCarriesTheIdTheHandlerSaw) {
  test::HttpsClient client(server_->url());
  test::HttpsResponse made = client.Get("/a?patient=secret");
  ASSERT_EQ(made.status, 200) << made.error;
  const std::string* id = made.Header("X-Request-Id");
  ASSERT_NE(id, nullptr);
  EXPECT_EQ(id->size(), 32u);
  EXPECT_EQ(made.body, *id);

  test::HttpsResponse kept = client.Get("/a", {{"X-Request-Id", "trace-0001.A_b"}});
  ASSERT_NE(kept.Header("X-Request-Id"), nullptr);
  EXPECT_EQ(*kept.Header("X-Request-Id"), "trace-0001.A_b");
  EXPECT_EQ(kept.body, "trace-0001.A_b");

  test::HttpsResponse replaced = client.Get("/a", {{"X-Request-Id", "no spaces <please>"}});
  ASSERT_NE(replaced.Header("X-Request-Id"), nullptr);
  EXPECT_NE(*replaced.Header("X-Request-Id"), "no spaces <please>");
  EXPECT_TRUE(IsAcceptableRequestId(*replaced.Header("X-Request-Id")));
}

TEST_F(RequestIdServerTest, TheObserverHearsOfEveryRequestOnceWithItsOutcome) {
  test::HttpsClient client(server_->url());
  ASSERT_EQ(client.Get("/a?x=1", {{"X-Request-Id", "first"}}).status, 200);
  ASSERT_EQ(client.Get("/missing", {{"X-Request-Id", "second"}}).status, 404);
  // Refused before the handler: the body is over the cap.
  ASSERT_EQ(client.Post("/a", std::string(5000, 'x'), {{"X-Request-Id", "third"}}).status, 413);
  std::vector<RecordingObserver::Record> records = observer_->WaitFor(3);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(observer_->started(), 3);
  std::map<std::string, RecordingObserver::Record> by_id;
  for (const auto& record : records) by_id.emplace(record.request_id, record);
  ASSERT_EQ(by_id.size(), 3u);
  EXPECT_EQ(by_id["first"].method, "GET");
  EXPECT_EQ(by_id["first"].path, "/a");  // no query string
  EXPECT_EQ(by_id["first"].status, 200);
  EXPECT_EQ(by_id["first"].bytes, 5u);
  EXPECT_EQ(by_id["second"].status, 404);
  EXPECT_EQ(by_id["third"].method, "POST");
  EXPECT_EQ(by_id["third"].status, 413);
}

}  // namespace
}  // namespace duet::gateway
