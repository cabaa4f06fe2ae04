#include "gateway/auth/fhir_authorizer.h"

#include <gtest/gtest.h>

#include "gateway/auth/partner_visible_store.h"
#include "tests/gateway/auth/two_partners_fixture.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr int64_t kNow = 1795800000;
constexpr char kEvimNpi[] = "1620193841";  // East Valley Internal Medicine: Dr. Chen

// The FHIR API behind the authorizer, without sockets, over the real store of two partners'
// patients, wired as `duet serve` wires it: the handler reads and writes through
// PartnerVisibleStore.
class FhirAuthorizerTest : public testing::TwoPartnersFixture {
 protected:
  void SetUp() override {
    TwoPartnersFixture::SetUp();
    visible_store_ = std::make_unique<PartnerVisibleStore>(*store_);
    partner_fhir_ = std::make_shared<FhirRestHandler>(*visible_store_, validator_, FhirApiOptions{},
                                                      rules_.get());
    std::shared_ptr<HttpHandler> inner = partner_fhir_;
    authorizer_ = std::make_unique<FhirAuthorizer>(inner, *store_, tokens_, [] { return kNow; });
    maria_ = "Patient/" + maria_id_;
    slp_ = "Patient/" + slp_id_;
  }
  std::string Token(const std::string& scopes, const std::string& npi = kEvimNpi) {
    Principal principal{"client", npi, *ParseScopes(scopes), kNow + 300};
    return *tokens_.Issue(std::move(principal), kNow);
  }
  HttpResponse Call(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = "") {
    HttpRequest request = Request(method, target, body, "application/fhir+json");
    if (!token.empty()) request.headers.Set("Authorization", "Bearer " + token);
    return authorizer_->Handle(request);
  }

  void TearDown() override {
    authorizer_.reset();
    partner_fhir_.reset();
    visible_store_.reset();
    TwoPartnersFixture::TearDown();
  }

  AccessTokens tokens_;
  std::unique_ptr<PartnerVisibleStore> visible_store_;
  std::shared_ptr<FhirRestHandler> partner_fhir_;
  std::unique_ptr<FhirAuthorizer> authorizer_;
  std::string maria_, slp_;
};

TEST_F(FhirAuthorizerTest, MetadataIsOpenEverythingElseNeedsALiveToken) {
  EXPECT_EQ(Call("GET", "/fhir/metadata", "").status, 200);
  HttpResponse anonymous = Call("GET", "/fhir/CarePlan", "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(*anonymous.headers.Find("WWW-Authenticate"), "Bearer realm=\"duet\"");
  EXPECT_EQ(Call("GET", "/fhir/CarePlan", "made-up").status, 401);
  Principal expired{"client", kEvimNpi, *ParseScopes("system/*.rs"), kNow};
  EXPECT_EQ(Call("GET", "/fhir/CarePlan", *tokens_.Issue(expired, kNow - 10)).status, 401);
}

TEST_F(FhirAuthorizerTest, EachInteractionNeedsItsScopeLetter) {
  struct Case {
    const char* method;
    const char* target;
    const char* scopes;
    int status;
  };
  const std::string plan = R"({"resourceType":"CarePlan","status":"draft","intent":"plan",
      "subject":{"reference":"Patient/none"}})";
  const Case cases[] = {
      {"GET", "/fhir/CarePlan", "system/CarePlan.r", 403},
      {"GET", "/fhir/CarePlan", "system/CarePlan.s", 200},
      {"GET", "/fhir/CarePlan/none", "system/CarePlan.s", 403},
      {"GET", "/fhir/CarePlan/none", "system/CarePlan.r", 404},
      {"GET", "/fhir/CarePlan/_history", "system/CarePlan.r", 403},
      {"GET", "/fhir/_history", "system/CarePlan.rs", 403},
      {"GET", "/fhir/_history", "system/*.s", 200},
      {"POST", "/fhir/CarePlan", "system/CarePlan.rus", 403},
      {"DELETE", "/fhir/CarePlan/none", "system/CarePlan.cru", 403},
      {"PUT", "/fhir/CarePlan/none", "system/CarePlan.crd", 403},
      {"GET", "/fhir/Goal", "system/CarePlan.cruds", 403},
      {"GET", "/fhir/Goal", "system/CarePlan.read system/Goal.read", 200},
  };
  for (const Case& c : cases) {
    std::string body =
        std::string(c.method) == "GET" || std::string(c.method) == "DELETE" ? "" : plan;
    EXPECT_EQ(Call(c.method, c.target, Token(c.scopes), body).status, c.status)
        << c.method << " " << c.target << " with " << c.scopes;
  }
}

TEST_F(FhirAuthorizerTest, ABundleNeedsWhatEachEntryNeeds) {
  std::string transaction = R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"resource":{"resourceType":"Goal","lifecycleStatus":"proposed",
                   "description":{"text":"walk"},"subject":{"reference":")" +
                            maria_ + R"("}},
       "request":{"method":"POST","url":"Goal"}},
      {"request":{"method":"GET","url":"Patient?_count=1"}}]})";
  HttpResponse refused = Call("POST", "/fhir", Token("system/Goal.c"), transaction);
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("search (s) on Patient"), std::string::npos) << refused.body;
  EXPECT_EQ(Call("POST", "/fhir", Token("system/Goal.c system/Patient.s"), transaction).status,
            200);
}

TEST_F(FhirAuthorizerTest, APartnerSeesOnlyItsOwnPatients) {
  std::string token = Token("system/*.cruds");
  HttpResponse patients = Call("GET", "/fhir/Patient", token);
  ASSERT_EQ(patients.status, 200);
  EXPECT_NE(patients.body.find(maria_.substr(8)), std::string::npos);
  EXPECT_EQ(patients.body.find(slp_.substr(8)), std::string::npos);
  EXPECT_NE(patients.body.find("\"total\":1"), std::string::npos) << patients.body.substr(0, 300);
  EXPECT_EQ(Call("GET", "/fhir/" + maria_, token).status, 200);
  HttpResponse hidden = Call("GET", "/fhir/" + slp_, token);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_NE(hidden.body.find(slp_ + " does not exist"), std::string::npos);
  EXPECT_EQ(Call("DELETE", "/fhir/" + slp_, token).status, 404);
  EXPECT_EQ(Call("GET", "/fhir/" + slp_, Token("system/*.rs", "1890345626")).status, 200)
      << "Dr. Whitfield's practice sees its own patient";
  EXPECT_EQ(Call("GET", "/fhir/Patient", Token("system/*.rs", "1285699059")).body.find("\"entry\""),
            std::string::npos)
      << "an organization with no shared patient sees none";
}

TEST_F(FhirAuthorizerTest, AuditEventsAreNeverServedToPartners) {
  // One AuditEvent stored as a resource (written straight to the store, as no partner can).
  {
    auto tx = store_->BeginWrite();
    ASSERT_TRUE(tx.ok());
    auto event = fhir::ParseJson(R"({"resourceType":"AuditEvent","type":{"code":"rest"},
        "recorded":"2026-01-01T00:00:00Z","agent":[{"requestor":true}],
        "source":{"observer":{"display":"x"}}})");
    ASSERT_TRUE(event.ok());
    ASSERT_TRUE((*tx)->Create("AuditEvent", "ae-1", std::move(*event)).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  std::string token = Token("system/*.cruds system/AuditEvent.cruds");
  for (const char* target :
       {"/fhir/AuditEvent", "/fhir/AuditEvent/ae-1", "/fhir/AuditEvent/ae-1/_history",
        "/fhir/AuditEvent/_history", "/fhir/AuditEvent/ae-1/_history/1"}) {
    HttpResponse refused = Call("GET", target, token);
    EXPECT_EQ(refused.status, 403) << target;
    EXPECT_NE(refused.body.find("/admin/v1/audit"), std::string::npos) << refused.body;
  }
  EXPECT_EQ(Call("DELETE", "/fhir/AuditEvent/ae-1", token).status, 403);
  std::string bundle = R"({"resourceType":"Bundle","type":"batch","entry":[
      {"request":{"method":"GET","url":"AuditEvent/ae-1"}}]})";
  EXPECT_EQ(Call("POST", "/fhir", token, bundle).status, 403);
  HttpResponse history = Call("GET", "/fhir/_history", token);
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(history.body.find("ae-1"), std::string::npos) << "left out of system histories";
  EXPECT_NE(history.body.find("\"Patient\""), std::string::npos) << "but nothing else";
}

// Reads are decided once per version and organization (PatientAccess::MaySeeText): repeating
// them gives the same answers, and one organization's decision never serves another's.
TEST_F(FhirAuthorizerTest, RepeatedReadsAreDecidedAlikeForEachOrganization) {
  std::string token = Token("system/*.rs");
  std::string whitfield = Token("system/*.rs", "1890345626");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Call("GET", "/fhir/" + slp_, token).status, 404) << i;
    EXPECT_EQ(Call("GET", "/fhir/" + maria_, token).status, 200) << i;
    EXPECT_EQ(Call("GET", "/fhir/" + slp_, whitfield).status, 200) << i;
    EXPECT_EQ(Call("GET", "/fhir/" + maria_, whitfield).status, 404) << i;
  }
}

}  // namespace
}  // namespace duet::gateway
