#include "gateway/sync/endpoint_auth.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "gateway/auth/jws.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string FormValue(const std::string& form, const std::string& name) {
  for (const auto& [key, value] : ParseQueryString(form)) {
    if (key == name) return value;
  }
  return "";
}

// Keys made with the openssl command line, as an admin would make them.
class EndpointAuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/duet-auth-XXXXXX";
    dir_ = new std::string(mkdtemp(pattern));
    std::string d = *dir_;
    ASSERT_EQ(std::system(("openssl ecparam -name secp384r1 -genkey -noout -out " + d +
                           "/ec.pem 2>/dev/null && openssl ec -in " + d + "/ec.pem -pubout -out " +
                           d + "/ec-public.pem 2>/dev/null && openssl genrsa -out " + d +
                           "/rsa.pem 2048 2>/dev/null && openssl rsa -in " + d +
                           "/rsa.pem -pubout -out " + d + "/rsa-public.pem 2>/dev/null")
                              .c_str()),
              0);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static EndpointConfig::Auth Smart(const std::string& algorithm, const std::string& key) {
    EndpointConfig::Auth auth;
    auth.method = "smart";
    auth.client_id = "duet-sunrise";
    auth.token_url = "https://ehr.ortho.example/auth/token";
    auth.private_key_file = *dir_ + "/" + key;
    auth.key_id = "key-2026-11";
    auth.algorithm = algorithm;
    auth.scopes = "system/ServiceRequest.rs system/Task.cruds";
    return auth;
  }

  static std::string* dir_;
};
std::string* EndpointAuthTest::dir_ = nullptr;

TEST_F(EndpointAuthTest, AssertionFollowsSmartBackendServices) {
  for (const auto& [algorithm, key, public_key] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"ES384", "ec.pem", "ec-public.pem"}, {"RS384", "rsa.pem", "rsa-public.pem"}}) {
    SmartTokenSource source(Smart(algorithm, key), nullptr);
    auto assertion = source.NewAssertion(1'800'000'000);
    ASSERT_TRUE(assertion.ok()) << assertion.status().ToString();
    auto verified = VerifyJwt(*assertion, algorithm, ReadFile(*dir_ + "/" + public_key));
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_EQ(verified->header.StringOr("kid"), "key-2026-11");
    EXPECT_EQ(verified->header.StringOr("typ"), "JWT");
    EXPECT_EQ(verified->claims.StringOr("iss"), "duet-sunrise");
    EXPECT_EQ(verified->claims.StringOr("sub"), "duet-sunrise");
    EXPECT_EQ(verified->claims.StringOr("aud"), "https://ehr.ortho.example/auth/token");
    EXPECT_EQ(verified->claims.Find("exp")->number_text(), "1800000300");
    EXPECT_EQ(verified->claims.StringOr("jti").size(), 32u);
    EXPECT_FALSE(
        VerifyJwt(*assertion, algorithm,
                  ReadFile(*dir_ + (algorithm == "ES384" ? "/rsa-public.pem" : "/ec-public.pem")))
            .ok());
  }
  // ES384 signatures are JOSE r||s (96 bytes = 128 base64url characters), not DER.
  SmartTokenSource source(Smart("ES384", "ec.pem"), nullptr);
  std::string assertion = *source.NewAssertion(1'800'000'000);
  EXPECT_EQ(assertion.size() - assertion.rfind('.') - 1, 128u);
  EXPECT_NE(*source.NewAssertion(1'800'000'000), assertion) << "every jti is new";
}

TEST_F(EndpointAuthTest, TokenIsCachedUntilShortlyBeforeExpiryAndRenewedAfterA401) {
  int64_t now = 1'800'000'000;
  std::vector<std::string> forms;
  SmartTokenSource source(
      Smart("ES384", "ec.pem"),
      [&](const std::string& url,
          const std::string& form) -> StatusOr<std::pair<int, std::string>> {
        EXPECT_EQ(url, "https://ehr.ortho.example/auth/token");
        forms.push_back(form);
        return std::make_pair(
            200, R"({"access_token":"token-)" + std::to_string(forms.size()) +
                     R"(","token_type":"bearer","expires_in":300,"scope":"system/Task.cruds"})");
      },
      [&] { return now; });
  EXPECT_EQ(*source.Authorization(false), "Bearer token-1");
  now += 269;
  EXPECT_EQ(*source.Authorization(false), "Bearer token-1");
  now += 2;  // 29 s before expiry
  EXPECT_EQ(*source.Authorization(false), "Bearer token-2");
  EXPECT_EQ(*source.Authorization(true), "Bearer token-3");
  ASSERT_EQ(forms.size(), 3u);
  EXPECT_EQ(FormValue(forms[0], "grant_type"), "client_credentials");
  EXPECT_EQ(FormValue(forms[0], "scope"), "system/ServiceRequest.rs system/Task.cruds");
  EXPECT_EQ(FormValue(forms[0], "client_assertion_type"),
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
  std::set<std::string> jtis;
  for (const std::string& form : forms) {
    auto verified =
        VerifyJwt(FormValue(form, "client_assertion"), "ES384", ReadFile(*dir_ + "/ec-public.pem"));
    ASSERT_TRUE(verified.ok());
    jtis.insert(std::string(verified->claims.StringOr("jti")));
  }
  EXPECT_EQ(jtis.size(), 3u);
}

TEST_F(EndpointAuthTest, RefusalsSayWhyWithoutSecrets) {
  SmartTokenSource refused(
      Smart("ES384", "ec.pem"),
      [](const std::string&, const std::string&) -> StatusOr<std::pair<int, std::string>> {
        return std::make_pair(
            401, std::string(R"({"error":"invalid_client","error_description":"unknown kid"})"));
      });
  auto token = refused.Authorization(false);
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(token.status().message().find("401: invalid_client (unknown kid)"), std::string::npos)
      << token.status().message();
  EXPECT_EQ(token.status().message().find("eyJ"), std::string::npos) << "no assertion in messages";

  SmartTokenSource wrong_key(Smart("ES384", "rsa.pem"), nullptr);
  auto assertion = wrong_key.NewAssertion(1'800'000'000);
  ASSERT_FALSE(assertion.ok());
  EXPECT_NE(assertion.status().message().find("rsa.pem"), std::string::npos);
  EXPECT_EQ(assertion.status().message().find("BEGIN"), std::string::npos);
}

TEST_F(EndpointAuthTest, BearerTokenIsReadAtEveryUse) {
  EndpointConfig endpoint;
  endpoint.auth.method = "bearer";
  endpoint.auth.token_file = *dir_ + "/token";
  std::ofstream(endpoint.auth.token_file) << "first-token\n";
  AuthorizationProvider provider = MakeAuthorizationProvider(endpoint, nullptr);
  EXPECT_EQ(*provider(false), "Bearer first-token");
  std::ofstream(endpoint.auth.token_file) << "rotated-token";
  EXPECT_EQ(*provider(false), "Bearer rotated-token");
  std::filesystem::remove(endpoint.auth.token_file);
  auto missing = provider(false);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot read the bearer token file"),
            std::string::npos);
  endpoint.auth.method = "none";
  EXPECT_FALSE(static_cast<bool>(MakeAuthorizationProvider(endpoint, nullptr)));
}

}  // namespace
}  // namespace duet::gateway
