#include "gateway/auth/token_service.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "gateway/auth/jwk.h"
#include "gateway/auth/jws.h"
#include "gateway/store/sqlite_replay_cache.h"
#include "tests/support/test_keys.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr char kTokenUrl[] = "https://duet.sunrise-pt.example/auth/token";
constexpr int64_t kNow = 1795800000;
constexpr char kJwtBearer[] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

// Two partner organizations' EHRs, each with its own keys; real assertions signed with them.
class TokenServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keys_ = new Keys{test::NewEcP384KeyPem(), test::NewRsaKeyPem(), test::NewEcP384KeyPem()};
  }
  static void TearDownTestSuite() { delete keys_; }

  void SetUp() override {
    char pattern[] = "/tmp/duet-token-XXXXXX";
    dir_ = mkdtemp(pattern);
    Json jwks = Json::MakeObject();
    Json list = Json::MakeArray();
    list.Append(*PublicJwkFromPem(keys_->ec, "evim-ec"));
    list.Append(*PublicJwkFromPem(keys_->rsa, "evim-rsa"));
    jwks.Set("keys", std::move(list));
    std::ofstream(dir_ + "/evim.jwks.json") << fhir::WriteJson(jwks);
    ClientConfig evim{"evim-ehr",
                      "1620193841",
                      {"system/CarePlan.rs", "system/Task.cruds"},
                      dir_ + "/evim.jwks.json",
                      ""};
    Json other_jwks = Json::MakeObject();
    Json other_list = Json::MakeArray();
    other_list.Append(*PublicJwkFromPem(keys_->other, "ortho-1"));
    other_jwks.Set("keys", std::move(other_list));
    ClientConfig ortho{"ortho-ehr", "1987654328", {"system/*.rs"}, "", fhir::WriteJson(other_jwks)};
    auto registry = ClientRegistry::Create({evim, ortho});
    ASSERT_TRUE(registry.ok()) << registry.status().ToString();
    registry_ = std::move(*registry);
    auto replay = SqliteReplayCache::Open(dir_ + "/duet.db");
    ASSERT_TRUE(replay.ok());
    replay_ = std::move(*replay);
    service_ = std::make_unique<TokenService>(*registry_, *replay_, tokens_, 300);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Json Claims(const std::string& client = "evim-ehr") {
    Json claims = Json::MakeObject();
    claims.Set("iss", Json::String(client));
    claims.Set("sub", Json::String(client));
    claims.Set("aud", Json::String(kTokenUrl));
    claims.Set("exp", Json::Integer(kNow + 240));
    claims.Set("jti", Json::String("jti-" + std::to_string(++jti_)));
    return claims;
  }
  std::string Sign(const Json& claims, const std::string& algorithm = "ES384",
                   const std::string& kid = "evim-ec", const std::string* key = nullptr) {
    const std::string& pem = key ? *key : algorithm == "ES384" ? keys_->ec : keys_->rsa;
    auto token = SignJwt(algorithm, kid, claims, pem);
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    return token.ok() ? *token : "";
  }
  TokenAnswer Ask(const std::string& assertion, const std::string& scope = "system/CarePlan.rs") {
    return service_->Grant({{"grant_type", "client_credentials"},
                            {"client_assertion_type", kJwtBearer},
                            {"client_assertion", assertion},
                            {"scope", scope}},
                           kTokenUrl, kNow);
  }
  void ExpectRefused(const TokenAnswer& answer, const std::string& error,
                     const std::string& description) {
    EXPECT_EQ(answer.error, error) << answer.error_description;
    EXPECT_EQ(answer.error_description, description);
    EXPECT_TRUE(answer.access_token.empty());
  }

  struct Keys {
    std::string ec, rsa, other;
  };
  static Keys* keys_;
  std::string dir_;
  int jti_ = 0;
  std::unique_ptr<ClientRegistry> registry_;
  std::unique_ptr<SqliteReplayCache> replay_;
  AccessTokens tokens_;
  std::unique_ptr<TokenService> service_;
};
TokenServiceTest::Keys* TokenServiceTest::keys_ = nullptr;

TEST_F(TokenServiceTest, Es384AndRs384AssertionsGetShortLivedTokens) {
  for (const auto& [algorithm, kid] :
       {std::pair<std::string, std::string>{"ES384", "evim-ec"}, {"RS384", "evim-rsa"}}) {
    TokenAnswer answer = Ask(Sign(Claims(), algorithm, kid), "system/CarePlan.read system/Task.u");
    ASSERT_EQ(answer.error, "") << algorithm << ": " << answer.error_description;
    EXPECT_EQ(answer.expires_in, 300);
    EXPECT_EQ(answer.scope, "system/CarePlan.read system/Task.u");
    auto principal = tokens_.Find(answer.access_token, kNow + 10);
    ASSERT_NE(principal, nullptr);
    EXPECT_EQ(principal->client_id, "evim-ehr");
    EXPECT_EQ(principal->organization_npi, "1620193841");
    EXPECT_TRUE(Permits(principal->scopes, "Task", kUpdate));
    EXPECT_FALSE(Permits(principal->scopes, "Task", kRead));
    EXPECT_EQ(tokens_.Find(answer.access_token, kNow + 300), nullptr) << "expired";
  }
}

TEST_F(TokenServiceTest, EveryBadAssertionIsRefusedWithItsReason) {
  std::string tampered = Sign(Claims());
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  ExpectRefused(Ask(tampered), "invalid_client",
                "the signature does not verify with the registered key");

  Json wrong_audience = Claims();
  wrong_audience.Set("aud", Json::String("https://elsewhere.example/auth/token"));
  ExpectRefused(Ask(Sign(wrong_audience)), "invalid_client",
                std::string("aud must be ") + kTokenUrl);

  Json expired = Claims();
  expired.Set("exp", Json::Integer(kNow - 120));
  ExpectRefused(Ask(Sign(expired)), "invalid_client", "the assertion has expired");

  Json too_long = Claims();
  too_long.Set("exp", Json::Integer(kNow + 3600));
  ExpectRefused(Ask(Sign(too_long)), "invalid_client", "exp must be at most five minutes ahead");

  Json other_subject = Claims();
  other_subject.Set("sub", Json::String("someone"));
  ExpectRefused(Ask(Sign(other_subject)), "invalid_client", "sub must equal iss (the client id)");

  ExpectRefused(Ask(Sign(Claims(), "ES384", "evim-2019")), "invalid_client",
                "no registered key has this kid");
  ExpectRefused(Ask(Sign(Claims(), "ES384", "evim-rsa", &keys_->ec)), "invalid_client",
                "the key with this kid signs RS384");
  ExpectRefused(Ask(Sign(Claims("nobody"))), "invalid_client", "unknown client (iss)");
  ExpectRefused(Ask("not.a.jwt"), "invalid_client", "client_assertion is not a signed JWT");
}

TEST_F(TokenServiceTest, AnAssertionWorksOnceEvenAfterARestart) {
  std::string assertion = Sign(Claims());
  EXPECT_EQ(Ask(assertion).error, "");
  ExpectRefused(Ask(assertion), "invalid_client", "this jti was used before");
  replay_.reset();
  auto reopened = SqliteReplayCache::Open(dir_ + "/duet.db");
  ASSERT_TRUE(reopened.ok());
  replay_ = std::move(*reopened);
  service_ = std::make_unique<TokenService>(*registry_, *replay_, tokens_, 300);
  ExpectRefused(Ask(assertion), "invalid_client", "this jti was used before");
}

TEST_F(TokenServiceTest, ScopesBeyondTheClientsAreRefused) {
  ExpectRefused(Ask(Sign(Claims()), "system/Patient.rs"), "invalid_scope",
                "scope system/Patient.rs is not granted to this client");
  ExpectRefused(Ask(Sign(Claims()), "system/CarePlan.cruds"), "invalid_scope",
                "scope system/CarePlan.cruds is not granted to this client");
  ExpectRefused(Ask(Sign(Claims()), "user/CarePlan.rs"), "invalid_scope",
                "scope \"user/CarePlan.rs\": backend services use system/ scopes, e.g. "
                "system/CarePlan.rs");
}

TEST_F(TokenServiceTest, AClientCannotSpeakForAnotherOrganization) {
  // The ortho EHR signs with its own key but claims to be the evim EHR: evim's keys do not
  // verify it.
  ExpectRefused(Ask(Sign(Claims("evim-ehr"), "ES384", "ortho-1", &keys_->other)), "invalid_client",
                "no registered key has this kid");
  ExpectRefused(Ask(Sign(Claims("evim-ehr"), "ES384", "evim-ec", &keys_->other)), "invalid_client",
                "the signature does not verify with the registered key");
  TokenAnswer own =
      Ask(Sign(Claims("ortho-ehr"), "ES384", "ortho-1", &keys_->other), "system/Patient.rs");
  ASSERT_EQ(own.error, "") << own.error_description;
  EXPECT_EQ(tokens_.Find(own.access_token, kNow)->organization_npi, "1987654328");
}

TEST_F(TokenServiceTest, ARotatedKeyFileIsReadWhenANewKidArrives) {
  std::string rotated = test::NewEcP384KeyPem();
  ExpectRefused(Ask(Sign(Claims(), "ES384", "evim-2027", &rotated)), "invalid_client",
                "no registered key has this kid");
  Json jwks = Json::MakeObject();
  Json list = Json::MakeArray();
  list.Append(*PublicJwkFromPem(keys_->ec, "evim-ec"));
  list.Append(*PublicJwkFromPem(rotated, "evim-2027"));
  jwks.Set("keys", std::move(list));
  std::ofstream(dir_ + "/evim.jwks.json", std::ios::trunc) << fhir::WriteJson(jwks);
  // Read again at most once a minute: an hour later it is found.
  TokenAnswer later = service_->Grant({{"grant_type", "client_credentials"},
                                       {"client_assertion_type", kJwtBearer},
                                       {"client_assertion",
                                        [&] {
                                          Json claims = Claims();
                                          claims.Set("exp", Json::Integer(kNow + 3600 + 200));
                                          return Sign(claims, "ES384", "evim-2027", &rotated);
                                        }()},
                                       {"scope", "system/CarePlan.rs"}},
                                      kTokenUrl, kNow + 3600);
  EXPECT_EQ(later.error, "") << later.error_description;
}

TEST_F(TokenServiceTest, MalformedRequestsSayWhatIsMissing) {
  ExpectRefused(service_->Grant({{"grant_type", "authorization_code"}}, kTokenUrl, kNow),
                "unsupported_grant_type", "grant_type must be client_credentials");
  ExpectRefused(service_->Grant({{"grant_type", "client_credentials"}}, kTokenUrl, kNow),
                "invalid_request", std::string("client_assertion_type must be ") + kJwtBearer);
  ExpectRefused(service_->Grant({{"grant_type", "client_credentials"},
                                 {"client_assertion_type", kJwtBearer},
                                 {"client_assertion", Sign(Claims())}},
                                kTokenUrl, kNow),
                "invalid_request", "scope is required");
}

}  // namespace
}  // namespace duet::gateway
