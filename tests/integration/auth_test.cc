// SMART Backend Services on a real `duet serve` over HTTPS: discovery, the token endpoint with
// real ES384/RS384 assertions, bearer tokens and scopes on every FHIR route, the practice API's
// own token, replay protection across a restart, and a sync push from another gateway that
// authorizes itself with SMART against this one.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "fhir/json.h"
#include "gateway/auth/jwk.h"
#include "gateway/auth/jws.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;

constexpr char kPracticeToken[] = "practice-emr-token-0123456789abcdef0123456789";
constexpr char kAdminToken[] = "admin-token-fedcba9876543210fedcba9876543210";
const HeaderList kForm = {{"Content-Type", "application/x-www-form-urlencoded"}};

std::string Encode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

// A directory with the partner EHRs' keys: evim (ES384 and RS384, may read and write care plans
// and tasks), a narrow client (may only read patients), and the practice's token file.
class AuthKeys {
 public:
  AuthKeys() {
    char pattern[] = "/tmp/duet-auth-keys-XXXXXX";
    dir_ = mkdtemp(pattern);
    ec_ = NewEcP384KeyPem();
    rsa_ = NewRsaKeyPem();
    narrow_ = NewEcP384KeyPem();
    std::ofstream(dir_ + "/evim-ec.pem") << ec_;
    WriteJwks("evim.jwks.json", {{ec_, "evim-ec"}, {rsa_, "evim-rsa"}});
    WriteJwks("narrow.jwks.json", {{narrow_, "narrow-1"}});
    std::ofstream(dir_ + "/practice.token") << kPracticeToken << "\n";
    std::ofstream(dir_ + "/admin.token") << kAdminToken << "\n";
  }
  ~AuthKeys() { std::filesystem::remove_all(dir_); }

  Json AuthConfig(
      const std::string& evim_scopes = R"(["system/CarePlan.rs", "system/*.cruds"])") const {
    return ParseOrFail(R"({"auth": {"mode": "smart", "practice_token_file": ")" + dir_ +
                       R"(/practice.token", "admin_token_file": ")" + dir_ +
                       R"(/admin.token", "clients": [
        {"client_id": "evim-ehr", "organization_npi": "1620193841", "scopes": )" +
                       evim_scopes + R"(, "jwks_file": ")" + dir_ + R"(/evim.jwks.json"},
        {"client_id": "narrow-ehr", "organization_npi": "1987654328",
         "scopes": ["system/Patient.r"], "jwks_file": ")" +
                       dir_ + R"(/narrow.jwks.json"}]}})");
  }
  std::string Assertion(const std::string& token_url, const std::string& client = "evim-ehr",
                        const std::string& algorithm = "ES384") {
    Json claims = Json::MakeObject();
    claims.Set("iss", Json::String(client));
    claims.Set("sub", Json::String(client));
    claims.Set("aud", Json::String(token_url));
    claims.Set("exp", Json::Integer(static_cast<long long>(time(nullptr)) + 240));
    claims.Set("jti",
               Json::String("jti-" + std::to_string(++jti_) + "-" + std::to_string(time(nullptr))));
    bool narrow = client == "narrow-ehr";
    const std::string& key = narrow ? narrow_ : algorithm == "ES384" ? ec_ : rsa_;
    std::string kid = narrow ? "narrow-1" : algorithm == "ES384" ? "evim-ec" : "evim-rsa";
    return gateway::SignJwt(algorithm, kid, claims, key).value();
  }
  const std::string& dir() const { return dir_; }

 private:
  void WriteJwks(const std::string& name,
                 std::vector<std::pair<std::string, std::string>> keys) const {
    Json list = Json::MakeArray();
    for (const auto& [pem, kid] : keys) list.Append(gateway::PublicJwkFromPem(pem, kid).value());
    Json jwks = Json::MakeObject();
    jwks.Set("keys", std::move(list));
    std::ofstream(dir_ + "/" + name) << fhir::WriteJson(jwks);
  }

  std::string dir_, ec_, rsa_, narrow_;
  int jti_ = 0;
};

std::string TokenForm(const std::string& assertion, const std::string& scope) {
  return "grant_type=client_credentials&client_assertion_type=" +
         Encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
         "&client_assertion=" + assertion + "&scope=" + Encode(scope);
}

// What one access should have left in the audit trail.
struct ExpectedAudit {
  std::string client;                      // agent altId: a client id, or "unauthenticated"
  std::string npi;                         // the client's organization NPI; "" for none
  std::string interaction;                 // restful-interaction code
  std::string outcome;                     // "0", "4", ...
  std::vector<std::string> patients = {};  // "Patient/id", in any order; checked when not empty
};

// The audit trail as an admin reads it (GET /admin/v1/audit with the admin token): Expect() checks
// that exactly one AuditEvent was recorded since the previous call, with the expected fields.
class AuditTrail {
 public:
  explicit AuditTrail(HttpsClient& client) : client_(client) { seen_ = All().size(); }

  std::vector<Json> New() {
    std::vector<Json> events = All();
    std::vector<Json> fresh(events.begin() + static_cast<long>(std::min(seen_, events.size())),
                            events.end());
    seen_ = events.size();
    return fresh;
  }

  void Expect(const std::string& what, const ExpectedAudit& expected) {
    SCOPED_TRACE(what);
    std::vector<Json> events = New();
    ASSERT_EQ(events.size(), 1u) << "exactly one AuditEvent per access";
    const Json& event = events[0];
    EXPECT_EQ(event.Find("subtype")->items()[0].StringOr("code"), expected.interaction);
    EXPECT_EQ(event.StringOr("outcome"), expected.outcome);
    EXPECT_FALSE(event.StringOr("recorded").empty());
    const Json& agent = event.Find("agent")->items()[0];
    EXPECT_EQ(agent.StringOr("altId"), expected.client);
    const Json* who = agent.Find("who");
    const Json* npi = who == nullptr ? nullptr : who->Find("identifier");
    EXPECT_EQ(npi == nullptr ? "" : std::string(npi->StringOr("value")), expected.npi);
    EXPECT_EQ(agent.Find("network")->StringOr("address").find("127.0.0.1"), 0u)
        << agent.Find("network")->StringOr("address");
    if (!expected.patients.empty()) {
      std::vector<std::string> patients;
      for (const Json& entity : event.Find("entity")->items()) {
        if (entity.Find("role")->StringOr("code") == "1") {
          patients.emplace_back(entity.Find("what")->StringOr("reference"));
        }
      }
      std::vector<std::string> wanted = expected.patients;
      std::sort(patients.begin(), patients.end());
      std::sort(wanted.begin(), wanted.end());
      EXPECT_EQ(patients, wanted);
    }
  }

 private:
  // Every AuditEvent, oldest first.
  std::vector<Json> All() {
    HttpsResponse page = client_.Get("/admin/v1/audit?_count=1000",
                                     {{"Authorization", std::string("Bearer ") + kAdminToken}});
    EXPECT_EQ(page.status, 200) << page.body.substr(0, 400);
    std::vector<Json> events;
    if (page.status != 200) return events;
    Json bundle = ParseOrFail(page.body);
    if (const Json* entries = bundle.Find("entry")) {
      for (const Json& entry : entries->items()) events.push_back(*entry.Find("resource"));
    }
    std::reverse(events.begin(), events.end());
    return events;
  }

  HttpsClient& client_;
  size_t seen_ = 0;
};

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestServerOptions options;
    options.extra_config = keys_.AuthConfig();
    server_ = std::make_unique<TestServer>(std::move(options));
    ASSERT_TRUE(server_->Start().ok()) << server_->log();
    client_ = std::make_unique<HttpsClient>(server_->Client());
  }
  std::string TokenUrl() const { return server_->base_url() + "/auth/token"; }
  HttpsResponse AskToken(const std::string& assertion, const std::string& scope) {
    return client_->Post("/auth/token", TokenForm(assertion, scope), kForm);
  }
  std::string Token(const std::string& scope, const std::string& client = "evim-ehr") {
    HttpsResponse answer = AskToken(keys_.Assertion(TokenUrl(), client), scope);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return std::string(ParseOrFail(answer.body).StringOr("access_token"));
  }

  AuthKeys keys_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpsClient> client_;
};

TEST_F(AuthTest, DiscoveryMetadataAndHealthAreOpen) {
  HttpsResponse discovery = client_->Get("/fhir/.well-known/smart-configuration");
  ASSERT_EQ(discovery.status, 200) << discovery.body;
  Json document = ParseOrFail(discovery.body);
  EXPECT_EQ(document.StringOr("token_endpoint"), TokenUrl());
  EXPECT_NE(discovery.body.find("\"private_key_jwt\""), std::string::npos);
  EXPECT_NE(discovery.body.find("\"client_credentials\""), std::string::npos);
  EXPECT_NE(discovery.body.find("\"ES384\",\"RS384\""), std::string::npos);
  EXPECT_EQ(client_->Get("/fhir/metadata").status, 200);
  EXPECT_EQ(client_->Get("/healthz").status, 200);
}

TEST_F(AuthTest, RealAssertionsGetTokensThatOpenTheApi) {
  for (const char* algorithm : {"ES384", "RS384"}) {
    HttpsResponse answer =
        AskToken(keys_.Assertion(TokenUrl(), "evim-ehr", algorithm), "system/CarePlan.rs");
    ASSERT_EQ(answer.status, 200) << answer.body;
    Json token = ParseOrFail(answer.body);
    EXPECT_EQ(token.StringOr("token_type"), "bearer");
    EXPECT_LE(std::stoi(token.Find("expires_in")->number_text()), 300);
    EXPECT_EQ(*answer.Header("Cache-Control"), "no-store");
    std::string bearer = "Bearer " + std::string(token.StringOr("access_token"));
    EXPECT_EQ(client_->Get("/fhir/CarePlan", {{"Authorization", bearer}}).status, 200);
  }
  HttpsResponse none = client_->Get("/fhir/CarePlan");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(*none.Header("WWW-Authenticate"), "Bearer realm=\"duet\"");
  EXPECT_NE(none.body.find("\"code\":\"login\""), std::string::npos) << none.body;
  HttpsResponse forged = client_->Get("/fhir/CarePlan", {{"Authorization", "Bearer forged"}});
  EXPECT_EQ(forged.status, 401);
  EXPECT_NE(forged.Header("WWW-Authenticate")->find("invalid_token"), std::string::npos);
}

TEST_F(AuthTest, RefusalsAreOAuthErrorsThatRevealNothing) {
  std::string wrong_audience = keys_.Assertion("https://elsewhere.example/auth/token");
  HttpsResponse refused = AskToken(wrong_audience, "system/CarePlan.rs");
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(ParseOrFail(refused.body).StringOr("error"), "invalid_client");
  EXPECT_EQ(refused.body.find("access_token"), std::string::npos);
  HttpsResponse scope = AskToken(keys_.Assertion(TokenUrl(), "narrow-ehr"), "system/CarePlan.rs");
  EXPECT_EQ(scope.status, 400);
  EXPECT_EQ(ParseOrFail(scope.body).StringOr("error"), "invalid_scope");
  HttpsResponse json = client_->Post("/auth/token", "{}", {{"Content-Type", "application/json"}});
  EXPECT_EQ(json.status, 400);
  EXPECT_EQ(ParseOrFail(json.body).StringOr("error"), "invalid_request");
  EXPECT_EQ(client_->Get("/auth/token").status, 405);
}

TEST_F(AuthTest, AnAssertionCannotBeReplayedEvenAfterARestart) {
  std::string assertion = keys_.Assertion(TokenUrl());
  EXPECT_EQ(AskToken(assertion, "system/CarePlan.rs").status, 200);
  ASSERT_TRUE(server_->Restart().ok()) << server_->log();
  HttpsClient fresh = server_->Client();
  HttpsResponse replay =
      fresh.Post("/auth/token", TokenForm(assertion, "system/CarePlan.rs"), kForm);
  EXPECT_EQ(replay.status, 400);
  EXPECT_NE(replay.body.find("this jti was used before"), std::string::npos) << replay.body;
  EXPECT_EQ(server_->log().find(assertion), std::string::npos) << "assertions are never logged";
}

// Every route, without a token (401) and with one too narrow for it (403).
TEST_F(AuthTest, EveryFhirRouteNeedsATokenWithTheRightScope) {
  std::string narrow = "Bearer " + Token("system/Patient.r", "narrow-ehr");
  std::string care_plan = R"({"resourceType":"CarePlan","status":"active","intent":"plan",
                              "subject":{"reference":"Patient/p1"}})";
  std::string transaction = R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"resource":{"resourceType":"Patient","gender":"female"},
       "request":{"method":"PUT","url":"Patient?identifier=x%7C1"}}]})";
  struct Route {
    const char* method;
    const char* path;
    std::string body;
    const char* interaction;  // as audited
  };
  const std::vector<Route> routes = {
      {"GET", "/fhir/CarePlan", "", "search-type"},
      {"GET", "/fhir/CarePlan?status=active", "", "search-type"},
      {"POST", "/fhir/CarePlan/_search", "", "search-type"},
      {"GET", "/fhir/CarePlan/abc", "", "read"},
      {"GET", "/fhir/CarePlan/abc/_history", "", "history-instance"},
      {"GET", "/fhir/CarePlan/abc/_history/1", "", "vread"},
      {"GET", "/fhir/CarePlan/_history", "", "history-type"},
      {"GET", "/fhir/_history", "", "history-system"},
      {"GET", "/fhir/Patient", "", "search-type"},  // narrow may read patients, not search them
      {"POST", "/fhir/CarePlan", care_plan, "create"},
      {"PUT", "/fhir/CarePlan/abc", care_plan, "update"},
      {"DELETE", "/fhir/CarePlan/abc", "", "delete"},
      {"POST", "/fhir", transaction, "transaction"},
  };
  AuditTrail audit(*client_);
  for (const Route& route : routes) {
    std::string what = std::string(route.method) + " " + route.path;
    HeaderList json = {{"Content-Type", "application/fhir+json"}};
    HttpsResponse anonymous = client_->Send(route.method, route.path, route.body, json);
    EXPECT_EQ(anonymous.status, 401) << route.method << " " << route.path << anonymous.body;
    audit.Expect(what + " without a token", {"unauthenticated", "", route.interaction, "4"});
    json.emplace_back("Authorization", narrow);
    HttpsResponse limited = client_->Send(route.method, route.path, route.body, json);
    EXPECT_EQ(limited.status, 403) << route.method << " " << route.path << limited.body;
    EXPECT_NE(limited.body.find("\"code\":\"forbidden\""), std::string::npos) << limited.body;
    audit.Expect(what + " with a narrow token",
                 {"narrow-ehr", "1987654328", route.interaction, "4"});
  }
  EXPECT_EQ(client_->Get("/fhir/Patient/abc", {{"Authorization", narrow}}).status, 404)
      << "what the scope allows goes through";
  audit.Expect("a read of a missing patient",
               {"narrow-ehr", "1987654328", "read", "4", {"Patient/abc"}});
  EXPECT_EQ(client_->Get("/fhir/metadata").status, 200);
  EXPECT_TRUE(audit.New().empty()) << "the CapabilityStatement is not audited";
}

TEST_F(AuthTest, PartnersCannotReadTheAuditTrail) {
  std::string everything = "Bearer " + Token("system/*.cruds");
  HeaderList headers = {{"Authorization", everything}, {"Content-Type", "application/fhir+json"}};
  EXPECT_EQ(client_->Get("/fhir/CarePlan", {{"Authorization", everything}}).status, 200);
  for (const char* path : {"/fhir/AuditEvent", "/fhir/AuditEvent?_count=5",
                           "/fhir/AuditEvent/anything", "/fhir/AuditEvent/_history"}) {
    HttpsResponse refused = client_->Get(path, {{"Authorization", everything}});
    EXPECT_EQ(refused.status, 403) << path << refused.body;
    EXPECT_NE(refused.body.find("/admin/v1/audit"), std::string::npos) << refused.body;
  }
  std::string event = R"({"resourceType":"AuditEvent","type":{"code":"rest"},
      "recorded":"2026-01-01T00:00:00Z","agent":[{"requestor":true}],"source":{"observer":{}}})";
  EXPECT_EQ(client_->Post("/fhir/AuditEvent", event, headers).status, 403);
  HttpsResponse history = client_->Get("/fhir/_history", {{"Authorization", everything}});
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(history.body.find("\"AuditEvent\""), std::string::npos) << history.body;
  for (const std::string& bearer :
       {everything, std::string("Bearer ") + kPracticeToken, std::string()}) {
    HeaderList auth;
    if (!bearer.empty()) auth.emplace_back("Authorization", bearer);
    HttpsResponse refused = client_->Get("/admin/v1/audit", auth);
    EXPECT_EQ(refused.status, 401) << refused.body;
    EXPECT_EQ(refused.body.find("AuditEvent"), std::string::npos);
  }
  HttpsResponse admin = client_->Get("/admin/v1/audit?client=evim-ehr&interaction=read&outcome=4",
                                     {{"Authorization", std::string("Bearer ") + kAdminToken}});
  ASSERT_EQ(admin.status, 200) << admin.body;
  EXPECT_EQ(ParseOrFail(admin.body).Find("total")->number_text(), "1")
      << "the refused read of AuditEvent/anything is audited";

  ProcessResult cli = RunDuet({"audit", "--config", server_->config_path(), "--client", "evim-ehr",
                               "--outcome", "4", "--limit", "100"});
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("search-type outcome=4 client=evim-ehr org=1620193841 from=127.0.0.1"),
            std::string::npos)
      << cli.out;
  ProcessResult json = RunDuet({"audit", "--config", server_->config_path(), "--json",
                                "--interaction", "search-type", "--client", "evim-ehr"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  Json bundle = ParseOrFail(json.out);
  EXPECT_EQ(bundle.StringOr("type"), "searchset");
  EXPECT_EQ(bundle.Find("total")->number_text(), "3") << json.out.substr(0, 400);
  ProcessResult bad = RunDuet({"audit", "--config", server_->config_path(), "--since", "soon"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--since: 'soon' is not a FHIR date"), std::string::npos) << bad.err;
}

TEST_F(AuthTest, ThePracticeApiNeedsThePracticesOwnToken) {
  HttpsResponse anonymous = client_->Get("/practice/v1/referrals");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_NE(anonymous.body.find("auth.practice_token_file"), std::string::npos) << anonymous.body;
  std::string fhir_token = "Bearer " + Token("system/CarePlan.rs");
  EXPECT_EQ(client_->Get("/practice/v1/referrals", {{"Authorization", fhir_token}}).status, 401)
      << "a partner's FHIR token is not the practice's";
  HttpsResponse practice = client_->Get(
      "/practice/v1/referrals", {{"Authorization", std::string("Bearer ") + kPracticeToken}});
  EXPECT_EQ(practice.status, 200) << practice.body;
}

// The practice API's accesses to patient data are audited like the FHIR API's: one AuditEvent
// each, by the practice (or unauthenticated without its token), naming the patient.
TEST_F(AuthTest, ThePracticeApiUploadsAndReadsAreAudited) {
  AuditTrail audit(*client_);
  const HeaderList practice = {{"Content-Type", "application/json"},
                               {"Authorization", std::string("Bearer ") + kPracticeToken}};
  HttpsResponse uploaded =
      client_->Post("/practice/v1/records", fhir::WriteJson(PrfFixture("patient.json")), practice);
  ASSERT_EQ(uploaded.status, 200) << uploaded.body;
  std::string patient(ParseOrFail(uploaded.body).Find("records")->items()[0].StringOr("fhir"));
  patient = patient.substr(0, patient.find("/_history"));
  audit.Expect("an upload of a new patient", {"practice", "", "create", "0", {patient}});

  HttpsResponse read = client_->Get("/practice/v1/patients/PT-004512", practice);
  ASSERT_EQ(read.status, 200) << read.body;
  audit.Expect("a read of the patient's record", {"practice", "", "read", "0", {patient}});

  EXPECT_EQ(client_->Get("/practice/v1/patients/PT-004512").status, 401);
  audit.Expect("a read without the practice's token", {"unauthenticated", "", "read", "4"});

  HttpsResponse queue = client_->Get("/practice/v1/referrals", practice);
  ASSERT_EQ(queue.status, 200) << queue.body;
  audit.Expect("the intake queue", {"practice", "", "search-type", "0"});
}

// limits.requests_per_second 1, burst 3: the token endpoint is limited by address, each SMART
// client and the practice by themselves.
TEST(AuthRateLimitTest, TheTokenEndpointAndEachClientAreLimitedApart) {
  AuthKeys keys;
  TestServerOptions options;
  options.extra_config = keys.AuthConfig();
  options.extra_config.Set("limits", ParseOrFail(R"({"requests_per_second": 1, "burst": 3})"));
  TestServer server(std::move(options));
  ASSERT_TRUE(server.Start().ok()) << server.log();
  HttpsClient client = server.Client();
  const std::string token_url = server.base_url() + "/auth/token";
  // Guessing assertions: three tries, then 429 as an OAuth2 error.
  HttpsResponse answer;
  int tries = 0;
  for (; tries < 6; ++tries) {
    answer = client.Post("/auth/token", TokenForm("not.a.jwt", "system/CarePlan.rs"), kForm);
    if (answer.status == 429) break;
    EXPECT_EQ(answer.status, 400) << answer.body;
  }
  EXPECT_GE(tries, 3);
  ASSERT_EQ(answer.status, 429) << answer.body;
  EXPECT_EQ(ParseOrFail(answer.body).StringOr("error"), "temporarily_unavailable") << answer.body;
  ASSERT_NE(answer.Header("Retry-After"), nullptr);
  EXPECT_EQ(*answer.Header("Retry-After"), "1");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  answer =
      client.Post("/auth/token", TokenForm(keys.Assertion(token_url), "system/CarePlan.rs"), kForm);
  ASSERT_EQ(answer.status, 200) << answer.body;
  const HeaderList bearer = {
      {"Authorization",
       "Bearer " + std::string(ParseOrFail(answer.body).StringOr("access_token"))}};
  // The client has its own bucket, whatever its address did.
  int ok = 0;
  HttpsResponse read;
  for (int i = 0; i < 6; ++i) {
    read = client.Get("/fhir/CarePlan", bearer);
    if (read.status != 200) break;
    ++ok;
  }
  EXPECT_GE(ok, 3);
  EXPECT_LE(ok, 4);
  ASSERT_EQ(read.status, 429) << read.body;
  EXPECT_EQ(ParseOrFail(read.body).StringOr("resourceType"), "OperationOutcome");
  ASSERT_NE(read.Header("Retry-After"), nullptr);
  // So has the practice.
  HttpsResponse practice = client.Get("/practice/v1/referrals",
                                      {{"Authorization", std::string("Bearer ") + kPracticeToken}});
  EXPECT_EQ(practice.status, 200) << practice.body;
}

// The admin API changes the registered clients of the running gateway: a changed client's live
// tokens end at once, a removed client gets no token, and a re-added one gets tokens again; a
// refused change names its problem and changes nothing.
TEST_F(AuthTest, ClientsChangedThroughTheAdminApiTakeEffectAtOnce) {
  const HeaderList admin = {{"Authorization", std::string("Bearer ") + kAdminToken},
                            {"Content-Type", "application/json"}};
  auto with = [](const std::string& token) {
    return HeaderList{{"Authorization", "Bearer " + token}};
  };
  std::string narrow = Token("system/Patient.r", "narrow-ehr");
  EXPECT_EQ(client_->Get("/fhir/Patient/nobody", with(narrow)).status, 404) << "authorized";
  EXPECT_EQ(client_->Get("/fhir/Patient?_count=1", with(narrow)).status, 403) << "no s scope";

  std::string changed = R"({"organization_npi": "1987654328", "scopes": ["system/Patient.rs"],
                            "jwks_file": ")" +
                        keys_.dir() + R"(/narrow.jwks.json"})";
  HttpsResponse put = client_->Put("/admin/v1/clients/narrow-ehr", changed, admin);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(client_->Get("/fhir/Patient/nobody", with(narrow)).status, 401)
      << "a changed client's tokens end";
  std::string wider = Token("system/Patient.rs", "narrow-ehr");
  EXPECT_EQ(client_->Get("/fhir/Patient?_count=1", with(wider)).status, 200);

  HttpsResponse bad = client_->Post(
      "/admin/v1/clients",
      R"({"client_id": "ortho-ehr", "organization_npi": "1987654328", "scopes": ["patient/*.rs"],
          "jwks_file": ")" +
          keys_.dir() + R"(/narrow.jwks.json"})",
      admin);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("\"pointer\":\"/scopes/0\""), std::string::npos) << bad.body;
  EXPECT_EQ(client_->Get("/admin/v1/clients/ortho-ehr", admin).status, 404);
  // Refused changes of a registered client name their pointer and leave it as it was.
  HttpsResponse bad_put =
      client_->Put("/admin/v1/clients/narrow-ehr",
                   R"({"organization_npi": "12", "scopes": ["system/Patient.rs"], "jwks_file": ")" +
                       keys_.dir() + R"(/narrow.jwks.json"})",
                   admin);
  EXPECT_EQ(bad_put.status, 400) << bad_put.body;
  EXPECT_NE(bad_put.body.find("\"pointer\":\"/organization_npi\""), std::string::npos)
      << bad_put.body;
  HttpsResponse renamed = client_->Put("/admin/v1/clients/narrow-ehr",
                                       R"({"client_id": "wide-ehr", )" + changed.substr(1), admin);
  EXPECT_EQ(renamed.status, 400) << renamed.body;
  EXPECT_NE(renamed.body.find("\"pointer\":\"/client_id\""), std::string::npos) << renamed.body;
  EXPECT_EQ(client_->Put("/admin/v1/clients/ortho-ehr", changed, admin).status, 404);
  EXPECT_EQ(
      client_
          ->Post("/admin/v1/clients", R"({"client_id": "narrow-ehr", )" + changed.substr(1), admin)
          .status,
      409);
  EXPECT_EQ(client_->Delete("/admin/v1/clients/ortho-ehr", admin).status, 404);
  EXPECT_EQ(client_->Get("/fhir/Patient?_count=1", with(wider)).status, 200)
      << "refused changes leave the client and its tokens";

  HttpsResponse removed = client_->Delete("/admin/v1/clients/narrow-ehr", admin);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(client_->Get("/fhir/Patient?_count=1", with(wider)).status, 401);
  HttpsResponse refused = AskToken(keys_.Assertion(TokenUrl(), "narrow-ehr"), "system/Patient.rs");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("invalid_client"), std::string::npos) << refused.body;

  HttpsResponse added = client_->Post("/admin/v1/clients",
                                      R"({"client_id": "narrow-ehr", )" + changed.substr(1), admin);
  ASSERT_EQ(added.status, 201) << added.body;
  std::string again = Token("system/Patient.rs", "narrow-ehr");
  EXPECT_EQ(client_->Get("/fhir/Patient?_count=1", with(again)).status, 200);
  EXPECT_NE(client_->Get("/admin/v1/clients", admin).body.find("narrow-ehr"), std::string::npos);
}

TEST_F(AuthTest, ClientsAreListedAddedAndRemovedFromTheCommandLine) {
  auto clients = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"clients", args.front(), "--config", server_->config_path()};
    argv.insert(argv.end(), args.begin() + 1, args.end());
    return RunDuet(argv);
  };
  ProcessResult list = clients({"list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("evim-ehr  organization NPI 1620193841  scopes system/CarePlan.rs "
                          "system/*.cruds  keys evim-ec (ES384), evim-rsa (RS384) from " +
                          keys_.dir() + "/evim.jwks.json"),
            std::string::npos)
      << list.out;

  std::string jwks = keys_.dir() + "/ortho.jwks.json";
  std::ofstream(jwks) << R"({"keys":[{"kid":"o1","kty":"EC","crv":"P-256","x":"AA","y":"AA"}]})";
  ProcessResult bad_key =
      clients({"add", "--client-id", "ortho-ehr", "--organization-npi", "1987654328", "--scope",
               "system/CarePlan.rs", "--jwks-file", jwks});
  EXPECT_EQ(bad_key.exit_code, 2);
  EXPECT_NE(bad_key.err.find("keys[0].crv: must be P-384 (for ES384)"), std::string::npos)
      << bad_key.err;
  std::string ortho_key = NewEcP384KeyPem();
  Json good = Json::MakeObject();
  Json list_of_keys = Json::MakeArray();
  list_of_keys.Append(gateway::PublicJwkFromPem(ortho_key, "o2").value());
  good.Set("keys", std::move(list_of_keys));
  std::ofstream(jwks, std::ios::trunc) << fhir::WriteJson(good);
  ProcessResult bad_scope = clients({"add", "--client-id", "ortho-ehr", "--organization-npi",
                                     "1987654328", "--scope", "patient/*.rs", "--jwks-file", jwks});
  EXPECT_EQ(bad_scope.exit_code, 2);
  EXPECT_NE(bad_scope.err.find("not added: client ortho-ehr: scope \"patient/*.rs\": backend "
                               "services use system/ scopes"),
            std::string::npos)
      << bad_scope.err;
  ProcessResult added =
      clients({"add", "--client-id", "ortho-ehr", "--organization-npi", "1987654328", "--scope",
               "system/CarePlan.rs", "--jwks-file", jwks});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(clients({"list"}).out.find("ortho-ehr  organization NPI 1987654328"),
            std::string::npos);

  ASSERT_TRUE(server_->Restart().ok()) << server_->log();
  HttpsClient fresh = server_->Client();
  Json claims = Json::MakeObject();
  for (const char* name : {"iss", "sub"}) claims.Set(name, Json::String("ortho-ehr"));
  claims.Set("aud", Json::String(TokenUrl()));
  claims.Set("exp", Json::Integer(static_cast<long long>(time(nullptr)) + 200));
  claims.Set("jti", Json::String("ortho-1"));
  std::string assertion = gateway::SignJwt("ES384", "o2", claims, ortho_key).value();
  EXPECT_EQ(fresh.Post("/auth/token", TokenForm(assertion, "system/CarePlan.rs"), kForm).status,
            200);

  ProcessResult removed = clients({"remove", "ortho-ehr"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(clients({"list"}).out.find("ortho-ehr"), std::string::npos);
  EXPECT_EQ(clients({"remove", "ortho-ehr"}).exit_code, 2);
}

// Two partner organizations, each with its own patient: East Valley Internal Medicine (Dr. Chen
// certifies Maria Lopez's plan) and Dr. Whitfield's solo neurology practice (the SLP patient's
// plan). Neither can read, search, include or update the other's patient.
class TwoPartnersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestServerOptions options;
    options.extra_config = keys_.AuthConfig(R"(["system/*.cruds"])");
    Json& neuro = options.extra_config.Find("auth")->Find("clients")->items()[1];
    neuro.Set("organization_npi", Json::String("1890345626"));
    neuro.Set("scopes", ParseOrFail(R"(["system/*.cruds"])"));
    server_ = std::make_unique<TestServer>(std::move(options));
    ASSERT_TRUE(server_->Start().ok()) << server_->log();
    client_ = std::make_unique<HttpsClient>(server_->Client());
    Json batch = ParseOrFail(R"({"record":"batch","records":[]})");
    for (const char* name :
         {"patient.json", "patient-slp.json", "provider.json", "provider-ot.json",
          "provider-slp.json", "provider-referring.json", "provider-neurologist.json",
          "referral.json", "plan_of_care.json", "plan_of_care-slp.json"}) {
      batch.Find("records")->Append(PrfFixture(name));
    }
    HttpsResponse uploaded =
        client_->Post("/practice/v1/records", fhir::WriteJson(batch),
                      {{"Content-Type", "application/json"},
                       {"Authorization", std::string("Bearer ") + kPracticeToken}});
    ASSERT_EQ(uploaded.status, 200) << uploaded.body.substr(0, 800);
    evim_ = Bearer("evim-ehr");
    neuro_ = Bearer("narrow-ehr");
    maria_ = OnlyId(Get("/fhir/Patient", evim_));
    slp_patient_ = OnlyId(Get("/fhir/Patient", neuro_));
    audit_ = std::make_unique<AuditTrail>(*client_);
  }
  // Who made an access, as the audit trail names it.
  ExpectedAudit By(const std::string& bearer, const std::string& interaction,
                   const std::string& outcome, std::vector<std::string> patients = {}) const {
    bool evim = bearer == evim_;
    return {evim ? "evim-ehr" : "narrow-ehr", evim ? "1620193841" : "1890345626", interaction,
            outcome, std::move(patients)};
  }
  std::string Bearer(const std::string& client) {
    std::string token_url = server_->base_url() + "/auth/token";
    HttpsResponse answer = client_->Post(
        "/auth/token", TokenForm(keys_.Assertion(token_url, client), "system/*.cruds"), kForm);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return "Bearer " + std::string(ParseOrFail(answer.body).StringOr("access_token"));
  }
  HttpsResponse Get(const std::string& path, const std::string& bearer) {
    return client_->Get(path, {{"Authorization", bearer}});
  }
  // The ids of a searchset's entries, "Type/id".
  static std::vector<std::string> Ids(const HttpsResponse& response) {
    EXPECT_EQ(response.status, 200) << response.body.substr(0, 300);
    std::vector<std::string> ids;
    Json bundle = ParseOrFail(response.body);
    if (const Json* entries = bundle.Find("entry")) {
      for (const Json& entry : entries->items()) {
        const Json* resource = entry.Find("resource");
        ids.push_back(std::string(resource->StringOr("resourceType")) + "/" +
                      std::string(resource->StringOr("id")));
      }
    }
    return ids;
  }
  static std::string OnlyId(const HttpsResponse& response) {
    std::vector<std::string> ids = Ids(response);
    EXPECT_EQ(ids.size(), 1u) << response.body.substr(0, 500);
    return ids.empty() ? "" : ids[0];
  }

  AuthKeys keys_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpsClient> client_;
  std::string evim_, neuro_, maria_, slp_patient_;
  std::unique_ptr<AuditTrail> audit_;
};

TEST_F(TwoPartnersTest, EachSeesOnlyItsOwnPatients) {
  ASSERT_NE(maria_, slp_patient_);
  EXPECT_EQ(Get("/fhir/" + maria_, evim_).status, 200);
  audit_->Expect("evim reads its patient", By(evim_, "read", "0", {maria_}));
  EXPECT_EQ(Get("/fhir/" + slp_patient_, neuro_).status, 200);
  audit_->Expect("neuro reads its patient", By(neuro_, "read", "0", {slp_patient_}));
  for (const auto& [bearer, other] : {std::pair{evim_, slp_patient_}, {neuro_, maria_}}) {
    HttpsResponse hidden = Get("/fhir/" + other, bearer);
    EXPECT_EQ(hidden.status, 404);
    audit_->Expect("a hidden patient", By(bearer, "read", "4", {other}));
    HttpsResponse missing = Get("/fhir/Patient/no-such-patient", bearer);
    EXPECT_EQ(missing.status, 404);
    audit_->Expect("a missing patient", By(bearer, "read", "4", {"Patient/no-such-patient"}));
    EXPECT_NE(hidden.body.find(other + " does not exist"), std::string::npos)
        << "a hidden patient looks like a missing one: " << hidden.body;
    EXPECT_EQ(Get("/fhir/" + other + "/_history/1", bearer).status, 404);
    audit_->Expect("a hidden version", By(bearer, "vread", "4", {other}));
    HttpsResponse history = Get("/fhir/" + other + "/_history", bearer);
    EXPECT_EQ(history.status, 404) << "a hidden history looks like a missing one: " << history.body;
    audit_->Expect("a hidden history", By(bearer, "history-instance", "4", {other}));
    std::vector<std::string> plans = Ids(Get("/fhir/CarePlan?subject=" + other, bearer));
    EXPECT_TRUE(plans.empty()) << "searches leave out what is not shared";
    EXPECT_TRUE(audit_->New().size() == 1u) << "an empty search is audited too";
  }
}

TEST_F(TwoPartnersTest, IncludesAndRevincludesNeverCrossTheBoundary) {
  std::vector<std::string> evim =
      Ids(Get("/fhir/CarePlan?_include=CarePlan:subject&_revinclude=Provenance:target", evim_));
  EXPECT_NE(std::find(evim.begin(), evim.end(), maria_), evim.end());
  EXPECT_EQ(std::find(evim.begin(), evim.end(), slp_patient_), evim.end());
  std::vector<std::string> neuro =
      Ids(Get("/fhir/Patient?_revinclude=CarePlan:subject&_revinclude=Goal:subject", neuro_));
  EXPECT_EQ(std::find(neuro.begin(), neuro.end(), maria_), neuro.end());
  for (const std::string& id : neuro) {
    if (id.rfind("CarePlan/", 0) != 0 && id.rfind("Goal/", 0) != 0) continue;
    Json resource = ParseOrFail(Get("/fhir/" + id, neuro_).body);
    EXPECT_EQ("Patient/" + std::string(resource.Find("subject")->StringOr("reference")).substr(8),
              slp_patient_);
  }
  HttpsResponse all = Get("/fhir/Patient", evim_);
  EXPECT_EQ(ParseOrFail(all.body).Find("total")->number_text(), "1") << "total counts only "
                                                                        "what is visible";
  audit_->New();
  Get("/fhir/CarePlan?_include=CarePlan:subject", evim_);
  audit_->Expect("a search names the patients whose data it returned",
                 By(evim_, "search-type", "0", {maria_}));
}

TEST_F(TwoPartnersTest, NeitherCanChangeTheOthersPatient) {
  HttpsResponse patient = Get("/fhir/" + slp_patient_, neuro_);
  ASSERT_EQ(patient.status, 200);
  HeaderList headers = {{"Content-Type", "application/fhir+json"}, {"Authorization", evim_}};
  audit_->New();
  HttpsResponse update = client_->Put("/fhir/" + slp_patient_, patient.body, headers);
  EXPECT_EQ(update.status, 404) << update.body;
  audit_->Expect("a refused update", By(evim_, "update", "4", {slp_patient_}));
  std::string goal = R"({"resourceType":"Goal","lifecycleStatus":"proposed",
      "description":{"text":"walk"},"subject":{"reference":")" +
                     slp_patient_ + R"("}})";
  HttpsResponse create = client_->Post("/fhir/Goal", goal, headers);
  EXPECT_EQ(create.status, 404) << create.body;
  audit_->Expect("a refused create", By(evim_, "create", "4"));
  std::string own_goal = goal;
  own_goal.replace(own_goal.find(slp_patient_), slp_patient_.size(), maria_);
  EXPECT_EQ(client_->Post("/fhir/Goal", own_goal, headers).status, 201)
      << "its own patient it may write for";
  audit_->Expect("a create", By(evim_, "create", "0", {maria_}));
  std::string transaction = R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"resource":)" + own_goal +
                            R"(,"request":{"method":"POST","url":"Goal"}}]})";
  EXPECT_EQ(client_->Post("/fhir", transaction, headers).status, 200);
  audit_->Expect("a transaction", By(evim_, "transaction", "0", {maria_}));
  EXPECT_EQ(
      ParseOrFail(Get("/fhir/" + slp_patient_, neuro_).body).Find("meta")->StringOr("versionId"),
      "1")
      << "nothing changed";
}

// Probing: what a partner could try to learn or change about another partner's patients with
// search modifiers, paging totals, conditional interactions and transaction entries.
TEST_F(TwoPartnersTest, NoSearchModifierOrConditionalWriteCrossesTheBoundary) {
  std::vector<std::string> neuro_plans = Ids(Get("/fhir/CarePlan", neuro_));
  std::vector<std::string> evim_plans = Ids(Get("/fhir/CarePlan", evim_));
  ASSERT_FALSE(neuro_plans.empty());
  ASSERT_FALSE(evim_plans.empty());
  const std::string& theirs = neuro_plans.front();
  for (const std::string& query : {std::string("_elements=id"), std::string("_elements=status"),
                                   std::string("_count=1"), std::string("_summary=count")}) {
    HttpsResponse found = Get("/fhir/CarePlan?" + query, evim_);
    ASSERT_EQ(found.status, 200) << query << found.body.substr(0, 300);
    EXPECT_EQ(found.body.find(theirs.substr(9)), std::string::npos)
        << query << ": the other partner's plan leaks: " << found.body.substr(0, 600);
    Json bundle = ParseOrFail(found.body);
    const Json* total = bundle.Find("total");
    if (total != nullptr) {
      EXPECT_EQ(total->number_text(), std::to_string(evim_plans.size()))
          << query << ": the total counts only what is visible";
    }
  }
  HeaderList headers = {{"Content-Type", "application/fhir+json"}, {"Authorization", evim_}};
  HttpsResponse conditional_delete =
      client_->Delete("/fhir/CarePlan?_id=" + theirs.substr(9), headers);
  EXPECT_NE(conditional_delete.status / 100, 5) << conditional_delete.body;
  Json plan = ParseOrFail(Get("/fhir/" + evim_plans.front(), evim_).body);
  plan.Remove("id");
  HttpsResponse conditional_update =
      client_->Put("/fhir/CarePlan?_id=" + theirs.substr(9), fhir::WriteJson(plan), headers);
  EXPECT_EQ(conditional_update.status, 201) << "the other partner's plan matches nothing for it, "
                                               "so a new plan is created: "
                                            << conditional_update.body.substr(0, 300);
  std::string transaction = R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"request":{"method":"DELETE","url":")" +
                            theirs + R"("}}]})";
  HttpsResponse deleted = client_->Post("/fhir", transaction, headers);
  EXPECT_NE(deleted.status, 200) << deleted.body.substr(0, 300);
  HttpsResponse still = Get("/fhir/" + theirs, neuro_);
  ASSERT_EQ(still.status, 200) << "the other partner's plan is still there";
  EXPECT_EQ(ParseOrFail(still.body).Find("meta")->StringOr("versionId"), "1") << "and unchanged";
}

// The practice's gateway pushes a plan of care to a partner Duet that requires SMART Backend
// Services (and mutual TLS): the gateway mints its assertion, gets a token, and pushes.
TEST(AuthSyncTest, AGatewayPushesToAPartnerThatRequiresSmartTokens) {
  AuthKeys keys;
  TestServerOptions partner_options;
  partner_options.extra_config = keys.AuthConfig(R"(["system/*.cruds"])");
  partner_options.extra_config.Find("auth")->Set("practice_token_file", Json());
  partner_options.extra_config.Set(
      "tls", ParseOrFail(R"({"client_ca":")" + TestCertsDir() + R"(/ca.pem"})"));
  TestServer partner(std::move(partner_options));
  ASSERT_TRUE(partner.Start().ok()) << partner.log();
  TestServerOptions options;
  options.extra_config = ParseOrFail(R"({
    "endpoints": [{"name": "evim", "base_url": ")" +
                                     partner.base_url() + R"(/fhir",
      "organization_npi": "1620193841",
      "tls": )" + MutualTlsEndpointTlsJson() +
                                     R"(,
      "auth": {"method": "smart", "client_id": "evim-ehr", "token_url": ")" +
                                     partner.base_url() + R"(/auth/token",
               "private_key_file": ")" +
                                     keys.dir() + R"(/evim-ec.pem", "kid": "evim-ec",
               "algorithm": "ES384", "scopes": "system/*.cruds"}}],
    "jobs": [{"name": "push-evim", "kind": "push_care_plans", "endpoint": "evim", "every": "1d"}]
  })");
  TestServer practice(std::move(options));
  ASSERT_TRUE(practice.Start().ok()) << practice.log();
  Json batch = ParseOrFail(R"({"record":"batch","records":[]})");
  for (const char* name : {"patient.json", "provider.json", "provider-ot.json",
                           "provider-referring.json", "referral.json", "plan_of_care.json"}) {
    batch.Find("records")->Append(PrfFixture(name));
  }
  HttpsClient practice_client = practice.Client();
  ASSERT_EQ(practice_client
                .Post("/practice/v1/records", fhir::WriteJson(batch),
                      {{"Content-Type", "application/json"}})
                .status,
            200);
  ProcessResult run = RunDuet({"sync", "run", "push-evim", "--config", practice.config_path()},
                              std::chrono::seconds(60));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("1 plan(s) of care pushed"), std::string::npos) << run.out;
  EXPECT_NE(partner.log().find("auth: token issued to client \"evim-ehr\""), std::string::npos)
      << partner.log();
  HttpsClientOptions mutual = MutualTlsClientOptions();
  HttpsClient partner_client = partner.Client(mutual);
  EXPECT_EQ(partner_client.Get("/fhir/CarePlan").status, 401) << "no token, no data";
}

}  // namespace
}  // namespace duet::test
