#include "gateway/admin_api/console_handler.h"

#include <gtest/gtest.h>

#include <string>

namespace duet::gateway {
namespace {

HttpRequest Request(std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

std::string Header(const HttpResponse& response, const std::string& name) {
  const std::string* value = response.headers.Find(name);
  return value == nullptr ? "" : *value;
}

class ConsoleHandlerTest : public ::testing::Test {
 protected:
  ConsoleHandler handler_{{{"index.html", "<!doctype html><title>console</title>"},
                           {"assets/index-ab12.js", "console.log(1)"},
                           {"assets/index-cd34.css", "body{}"}}};
};

TEST_F(ConsoleHandlerTest, RootAndPagePathsAnswerIndexHtmlWithStrictHeaders) {
  for (const char* path : {"/admin/", "/admin/partners", "/admin/jobs/push-evim"}) {
    HttpResponse response = handler_.Handle(Request("GET", path));
    EXPECT_EQ(response.status, 200) << path;
    EXPECT_EQ(response.body, "<!doctype html><title>console</title>") << path;
    EXPECT_EQ(Header(response, "Content-Type"), "text/html; charset=utf-8") << path;
    EXPECT_EQ(Header(response, "Cache-Control"), "no-cache") << path;
    EXPECT_NE(Header(response, "Content-Security-Policy").find("default-src 'self'"),
              std::string::npos)
        << path;
    EXPECT_EQ(Header(response, "X-Content-Type-Options"), "nosniff") << path;
  }
}

TEST_F(ConsoleHandlerTest, AssetsHaveTheirTypeAndALongCacheLifetime) {
  HttpResponse js = handler_.Handle(Request("GET", "/admin/assets/index-ab12.js"));
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(Header(js, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(js, "Cache-Control"), "public, max-age=31536000, immutable");
  HttpResponse css = handler_.Handle(Request("GET", "/admin/assets/index-cd34.css"));
  EXPECT_EQ(Header(css, "Content-Type"), "text/css; charset=utf-8");
  HttpResponse head = handler_.Handle(Request("HEAD", "/admin/assets/index-cd34.css"));
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST_F(ConsoleHandlerTest, MissingAssetsAreNotFoundNotTheApp) {
  EXPECT_EQ(handler_.Handle(Request("GET", "/admin/assets/gone.js")).status, 404);
  EXPECT_EQ(handler_.Handle(Request("GET", "/admin/favicon.ico")).status, 404);
}

TEST_F(ConsoleHandlerTest, TraversalIsRefused) {
  for (const char* path : {"/admin/../etc/passwd", "/admin/assets/../index.html",
                           "/admin/./index.html", "/admin/assets/..", "/admin/a\\b"}) {
    HttpResponse response = handler_.Handle(Request("GET", path));
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.body.find("doctype"), std::string::npos) << path;
  }
}

TEST_F(ConsoleHandlerTest, AdminApiPathsAreNeverTheConsole) {
  // An admin API route that this gateway does not serve (say /admin/v1/audit before that API
  // exists) must answer 404 JSON, not index.html, so the console can tell it is missing.
  for (const char* path : {"/admin/v1", "/admin/v1/audit", "/admin/v1/sync/history"}) {
    HttpResponse response = handler_.Handle(Request("GET", path));
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(Header(response, "Content-Type"), "application/json") << path;
  }
}

TEST_F(ConsoleHandlerTest, MountPointRedirectsAndWritesAreRefused) {
  HttpResponse bare = handler_.Handle(Request("GET", "/admin"));
  EXPECT_EQ(bare.status, 301);
  EXPECT_EQ(Header(bare, "Location"), "/admin/");
  HttpResponse post = handler_.Handle(Request("POST", "/admin/partners"));
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(Header(post, "Allow"), "GET, HEAD");
}

TEST(ConsoleHandlerWithoutConsoleTest, ABuildWithoutFilesSaysSo) {
  ConsoleHandler empty{std::vector<ConsoleAsset>{}};
  EXPECT_EQ(empty.Handle(Request("GET", "/admin/")).status, 503);
}

TEST(ConsoleHandlerEmbeddedTest, TheBuiltConsoleIsEmbedded) {
  ConsoleHandler embedded{EmbeddedConsoleAssets()};
  HttpResponse index = embedded.Handle(Request("GET", "/admin/"));
  ASSERT_EQ(index.status, 200);
  EXPECT_NE(index.body.find("/admin/assets/"), std::string::npos) << index.body;
  EXPECT_EQ(index.body.find("<script>"), std::string::npos) << "inline script: CSP would block it";
}

}  // namespace
}  // namespace duet::gateway
