#include "gateway/admin_api/audit_route.h"

#include <gtest/gtest.h>

#include <fstream>

#include "gateway/auth/static_bearer_gate.h"
#include "gateway/store/sqlite_audit_log.h"
#include "tests/gateway/store/store_test_util.h"

namespace duet::gateway {
namespace {

using fhir::Json;
using testing::MustParseJson;

constexpr char kAdminToken[] = "admin-token-0123456789abcdef0123456789abcdef";

class AuditRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::MustOpenWithAudit(dir_.File("duet.db"));
    ASSERT_TRUE(db_.store && db_.log);
    auto admin = std::make_shared<AdminApiHandler>();
    admin->Add("GET", "/audit", AuditRoute(*db_.log));
    std::ofstream(dir_.File("admin.token")) << kAdminToken << "\n";
    auto gate =
        StaticBearerGate::Create(admin, dir_.File("admin.token"), "admin", "auth.admin_token_file");
    ASSERT_TRUE(gate.ok()) << gate.status().ToString();
    gate_ = *gate;
    for (int i = 0; i < 3; ++i) {
      AuditRecord record;
      record.id = NewAuditId();
      record.recorded_ms = 1795800000000 + i * 1000;
      record.agent = {"client", i == 1 ? "neuro" : "evim", "1620193841"};
      record.interaction = "read";
      record.resource_type = "Patient";
      record.resource_id = "p" + std::to_string(i);
      record.http_status = 200;
      record.patients = {record.resource_id};
      ASSERT_TRUE(db_.log->Record(record).ok());
      ids_.push_back(record.id);
    }
  }

  HttpResponse Get(const std::string& target, const std::string& token = kAdminToken) {
    HttpRequest request;
    request.method = "GET";
    size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos)
      request.query = ParseQueryString(target.substr(question + 1));
    request.base_url = "https://duet.test";
    if (!token.empty()) request.headers.Set("Authorization", "Bearer " + token);
    return gate_->Handle(request);
  }
  static std::vector<std::string> Ids(const HttpResponse& response) {
    std::vector<std::string> ids;
    Json bundle = MustParseJson(response.body);
    const Json* entries = bundle.Find("entry");
    if (entries == nullptr) return ids;
    for (const Json& entry : entries->items()) {
      ids.emplace_back(entry.Find("resource")->StringOr("id"));
    }
    return ids;
  }

  testing::TempDir dir_;
  testing::StoreWithAudit db_;
  std::shared_ptr<StaticBearerGate> gate_;
  std::vector<std::string> ids_;
};

TEST_F(AuditRouteTest, NeedsTheAdminToken) {
  for (const std::string& token : {std::string(), std::string("wrong"),
                                   std::string("admin-token-0123456789abcdef0123456789abcdeX")}) {
    HttpResponse refused = Get("/admin/v1/audit", token);
    EXPECT_EQ(refused.status, 401);
    EXPECT_EQ(*refused.headers.Find("WWW-Authenticate"), "Bearer realm=\"duet-admin\"");
    EXPECT_NE(refused.body.find("auth.admin_token_file"), std::string::npos) << refused.body;
    EXPECT_EQ(refused.body.find("AuditEvent"), std::string::npos);
  }
}

TEST_F(AuditRouteTest, AnswersASearchsetNewestFirstFilteredAndPaged) {
  HttpResponse all = Get("/admin/v1/audit");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(*all.headers.Find("Content-Type"), "application/fhir+json");
  EXPECT_EQ(Ids(all), (std::vector<std::string>{ids_[2], ids_[1], ids_[0]}));
  EXPECT_EQ(MustParseJson(all.body).Find("total")->number_text(), "3");

  EXPECT_EQ(Ids(Get("/admin/v1/audit?client=neuro")), (std::vector<std::string>{ids_[1]}));
  EXPECT_EQ(Ids(Get("/admin/v1/audit?patient=Patient/p0")), (std::vector<std::string>{ids_[0]}));
  EXPECT_EQ(Ids(Get("/admin/v1/audit?since=2026-11-27T17:20:01Z&until=2026-11-27T17:20:01.500Z")),
            (std::vector<std::string>{ids_[1]}));
  EXPECT_EQ(Ids(Get("/admin/v1/audit?interaction=read&outcome=0&_count=5")).size(), 3u);
  EXPECT_TRUE(Ids(Get("/admin/v1/audit?outcome=4")).empty());

  HttpResponse first = Get("/admin/v1/audit?client=evim&_count=1");
  EXPECT_EQ(Ids(first), (std::vector<std::string>{ids_[2]}));
  Json next = MustParseJson(first.body).Find("link")->items()[1];
  ASSERT_EQ(next.StringOr("relation"), "next");
  std::string url(next.StringOr("url"));
  ASSERT_EQ(url.rfind("https://duet.test/admin/v1/audit?", 0), 0u) << url;
  EXPECT_EQ(Ids(Get(url.substr(std::string("https://duet.test").size()))),
            (std::vector<std::string>{ids_[0]}));
}

TEST_F(AuditRouteTest, BadParametersAnswer400NamingEachOne) {
  HttpResponse bad = Get("/admin/v1/audit?since=soon&_count=-1&family=Lopez");
  ASSERT_EQ(bad.status, 400);
  Json error = *MustParseJson(bad.body).Find("error");
  std::vector<std::string> named;
  for (const Json& problem : error.Find("problems")->items()) {
    named.emplace_back(problem.StringOr("parameter"));
    EXPECT_FALSE(problem.StringOr("message").empty());
  }
  EXPECT_EQ(named, (std::vector<std::string>{"since", "_count", "family"}));
}

TEST_F(AuditRouteTest, UnknownRoutesAndMethodsAreJsonErrors) {
  HttpResponse missing = Get("/admin/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(MustParseJson(missing.body).Find("error"), nullptr);
  HttpRequest post;
  post.method = "POST";
  post.path = "/admin/v1/audit";
  post.headers.Set("Authorization", std::string("Bearer ") + kAdminToken);
  HttpResponse refused = gate_->Handle(post);
  EXPECT_EQ(refused.status, 405);
  EXPECT_EQ(*refused.headers.Find("Allow"), "GET");
}

}  // namespace
}  // namespace duet::gateway
