#include "gateway/config/gateway_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace duet::gateway {
namespace {

constexpr char kValid[] = R"({
  "listen": {"host": "localhost", "port": 8443, "threads": 6},
  "tls": {"certificate": "../certs/out/server.pem", "private_key": "/etc/duet/server.key"},
  "store": {"path": "var/duet.db"},
  "practice": {"identifier_base": "https://practice.example.org/id"},
  "limits": {"max_body_bytes": 1048576},
  "fhir": {"base_url": "https://fhir.example.org/fhir/"},
  "log": {"level": "debug", "format": "text"},
  "auth": {"mode": "smart"}
})";

TEST(GatewayConfigTest, ParsesEveryField) {
  StatusOr<GatewayConfig> config = ParseGatewayConfig(kValid, "/opt/duet/config");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->listen.host, "localhost");
  EXPECT_EQ(config->listen.port, 8443);
  EXPECT_EQ(config->listen.threads, 6u);
  EXPECT_EQ(config->tls.certificate, "/opt/duet/certs/out/server.pem");
  EXPECT_EQ(config->tls.private_key, "/etc/duet/server.key");
  EXPECT_EQ(config->tls.client_ca, "");
  EXPECT_EQ(config->store.path, "/opt/duet/config/var/duet.db");
  EXPECT_EQ(config->practice.identifier_base, "https://practice.example.org/id");
  EXPECT_EQ(config->limits.max_body_bytes, 1048576u);
  EXPECT_EQ(config->fhir.base_url, "https://fhir.example.org/fhir");
  EXPECT_EQ(config->log.level, "debug");
  EXPECT_EQ(config->log.format, "text");
}

TEST(GatewayConfigTest, OptionalFieldsHaveDefaults) {
  StatusOr<GatewayConfig> config = ParseGatewayConfig(R"({
    "listen": {"host": "0.0.0.0", "port": 443},
    "tls": {"certificate": "c.pem", "private_key": "k.pem", "client_ca": "ca.pem"},
    "store": {"path": ":memory:"},
    "practice": {"identifier_base": "urn:oid:1.2.3"},
    "auth": {"mode": "smart"}
  })",
                                                      "/srv");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->auth.token_lifetime_seconds, 300);
  EXPECT_TRUE(config->auth.clients.empty());
  EXPECT_EQ(config->listen.threads, 16u);
  EXPECT_EQ(config->limits.max_body_bytes, 4u * 1024 * 1024);
  EXPECT_EQ(config->limits.max_header_bytes, 64u * 1024);
  EXPECT_EQ(config->limits.requests_per_second, 20000);
  EXPECT_EQ(config->limits.burst, 40000);
  EXPECT_EQ(config->limits.idle_timeout_seconds, 60);
  EXPECT_EQ(config->limits.request_timeout_seconds, 60);
  EXPECT_EQ(config->fhir.base_url, "");
  EXPECT_EQ(config->log.level, "info");
  EXPECT_EQ(config->log.format, "json");
  EXPECT_EQ(config->store.path, ":memory:");
  EXPECT_EQ(config->tls.client_ca, "/srv/ca.pem");
}

// Expects `json` to fail with a message listing exactly `pointers` (each at a line start).
void ExpectProblems(const std::string& json, const std::vector<std::string>& expected_lines) {
  StatusOr<GatewayConfig> config = ParseGatewayConfig(json, "/base");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  std::string message = config.status().message();
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= message.size()) {
    size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    lines.push_back(message.substr(start, end - start));
    start = end + 1;
  }
  EXPECT_EQ(lines, expected_lines) << message;
}

TEST(GatewayConfigTest, ReportsEveryProblemWithItsPointer) {
  ExpectProblems(R"({
    "listen": {"host": "", "port": 70000, "threads": 0, "prot": 1},
    "tls": {"certificate": 5},
    "store": {},
    "practice": {"identifier_base": "not a uri"},
    "limits": {"max_body_bytes": "big"},
    "fhir": {"base_url": "ftp://x"},
    "log": {"level": "loud", "format": "xml"},
    "extra": true
  })",
                 {
                     "/extra: unknown field",
                     "/listen/prot: unknown field",
                     "/listen/host: must be a non-empty string",
                     "/listen/port: must be an integer 1-65535 (got 70000)",
                     "/listen/threads: must be an integer 1-1024 (got 0)",
                     "/tls/certificate: must be a non-empty string",
                     "/tls/private_key: required",
                     "/store/path: required",
                     "/practice/identifier_base: must be an absolute URI such as "
                     "https://practice.example.org/id (got \"not a uri\")",
                     "/limits/max_body_bytes: must be an integer 1024-1073741824",
                     "/fhir/base_url: must be an http(s) URL without query or fragment (got "
                     "\"ftp://x\")",
                     "/log/level: must be one of trace, debug, info, warn, error, critical, off "
                     "(got \"loud\")",
                     "/log/format: must be json or text (got \"xml\")",
                     "/auth: required section is missing",
                 });
}

TEST(GatewayConfigTest, ReadsRateAndConnectionLimits) {
  const std::string head = R"({"listen": {"host": "localhost", "port": 8443},
    "tls": {"certificate": "c", "private_key": "k"}, "store": {"path": "s"},
    "practice": {"identifier_base": "urn:x:y"}, "auth": {"mode": "development"}, "limits": )";
  StatusOr<GatewayConfig> config =
      ParseGatewayConfig(head + R"({"requests_per_second": 50, "burst": 100,
        "idle_timeout_seconds": 30, "request_timeout_seconds": 20, "max_header_bytes": 16384}})",
                         "/base");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->limits.requests_per_second, 50);
  EXPECT_EQ(config->limits.burst, 100);
  EXPECT_EQ(config->limits.idle_timeout_seconds, 30);
  EXPECT_EQ(config->limits.request_timeout_seconds, 20);
  EXPECT_EQ(config->limits.max_header_bytes, 16384u);
  ExpectProblems(head + R"({"requests_per_second": 0, "burst": "lots",
        "idle_timeout_seconds": 0, "request_timeout_seconds": 7200, "max_header_bytes": 10,
        "rate": 5}})",
                 {
                     "/limits/rate: unknown field",
                     "/limits/max_header_bytes: must be an integer 1024-1048576 (got 10)",
                     "/limits/requests_per_second: must be an integer 1-1000000 (got 0)",
                     "/limits/burst: must be an integer 1-1000000",
                     "/limits/idle_timeout_seconds: must be an integer 1-3600 (got 0)",
                     "/limits/request_timeout_seconds: must be an integer 1-3600 (got 7200)",
                 });
}

TEST(GatewayConfigTest, AuditRecordsAreKeptForGoodOrAtLeastSixYears) {
  const std::string head = R"({"listen": {"host": "localhost", "port": 8443},
    "tls": {"certificate": "c", "private_key": "k"}, "store": {"path": "s"},
    "practice": {"identifier_base": "urn:x:y"}, "auth": {"mode": "development"})";
  StatusOr<GatewayConfig> kept = ParseGatewayConfig(head + "}", "/base");
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->audit.retention_days, 0) << "no retention: kept for good";
  StatusOr<GatewayConfig> seven_years =
      ParseGatewayConfig(head + R"(, "audit": {"retention_days": 2557}})", "/base");
  ASSERT_TRUE(seven_years.ok()) << seven_years.status().ToString();
  EXPECT_EQ(seven_years->audit.retention_days, 2557);
  ExpectProblems(head + R"(, "audit": {"retention_days": 365}})",
                 {"/audit/retention_days: must be at least 2190 (six years, HIPAA's retention "
                  "period for security records; got 365); leave it out to keep the records for "
                  "good"});
  ExpectProblems(
      head + R"(, "audit": {"retention_days": "forever", "archive": true}})",
      {"/audit/archive: unknown field", "/audit/retention_days: must be an integer 0-36500"});
}

TEST(GatewayConfigTest, AuthClientsAreCheckedOneByOne) {
  const std::string head = R"({"listen": {"host": "0.0.0.0", "port": 8443},
    "tls": {"certificate": "c", "private_key": "k"}, "store": {"path": "s"},
    "practice": {"identifier_base": "urn:x:y"}, "auth": )";
  ExpectProblems(head + R"({"mode": "development"}})",
                 {"/auth/mode: development mode (no authorization) listens on loopback only "
                  "(127.0.0.1, ::1 or localhost), not \"0.0.0.0\"; use \"smart\""});
  ExpectProblems(head + R"({"mode": "smart", "token_lifetime_seconds": 3600, "clients": [
      {"client_id": "evim", "organization_npi": "1234567890", "scopes": ["user/CarePlan.rs",
       "system/CarePlan.sr", "system/Task.cruds"], "jwks": {"keys": [{"kid": "k1", "kty": "oct"}]}},
      {"client_id": "evim", "organization_npi": "1620193841", "scopes": [], "jwks_file": "x",
       "jwks": {"keys": []}}]}})",
                 {
                     "/auth/token_lifetime_seconds: must be an integer 30-300 (got 3600)",
                     "/auth/clients/0/organization_npi: \"1234567890\" is not a valid NPI (10 "
                     "digits with a Luhn check digit)",
                     "/auth/clients/0/scopes/0: scope \"user/CarePlan.rs\": backend services use "
                     "system/ scopes, e.g. system/CarePlan.rs",
                     "/auth/clients/0/scopes/1: scope \"system/CarePlan.sr\": access must be "
                     "read, write, * or v2 letters in the order c r u d s",
                     "/auth/clients/0/jwks: keys[0].kty: must be EC or RSA",
                     "/auth/clients/1/scopes: required: a list such as [\"system/CarePlan.rs\"]",
                     "/auth/clients/1: give the client's public keys as exactly one of jwks or "
                     "jwks_file",
                     "/auth/clients/1/client_id: \"evim\" is registered twice",
                 });
}

TEST(GatewayConfigTest, MissingSectionsAreNamed) {
  ExpectProblems(R"({"listen": []})", {
                                          "/listen: must be an object",
                                          "/tls: required section is missing",
                                          "/store: required section is missing",
                                          "/practice: required section is missing",
                                          "/auth: required section is missing",
                                      });
}

TEST(GatewayConfigTest, PortMustBeAWholeNumber) {
  const std::string rest = R"(, "tls": {"certificate": "c", "private_key": "k"},
    "store": {"path": "s"}, "practice": {"identifier_base": "urn:x:y"},
    "auth": {"mode": "smart"}})";
  for (const char* port : {"8443.5", "-1", "0", "1e3", "\"8443\""}) {
    std::string json = std::string(R"({"listen": {"host": "h", "port": )") + port + "}" + rest;
    StatusOr<GatewayConfig> config = ParseGatewayConfig(json, "/");
    ASSERT_FALSE(config.ok()) << port;
    EXPECT_EQ(config.status().message().rfind("/listen/port: must be an integer 1-65535", 0), 0u)
        << config.status().message();
  }
  EXPECT_TRUE(ParseGatewayConfig(R"({"listen": {"host": "h", "port": 1})" + rest, "/").ok());
}

TEST(GatewayConfigTest, HostMustNotBeAUrl) {
  ExpectProblems(R"({"listen": {"host": "https://x/", "port": 1},
    "tls": {"certificate": "c", "private_key": "k"}, "store": {"path": "s"},
    "practice": {"identifier_base": "urn:x:y"}, "auth": {"mode": "smart"}})",
                 {"/listen/host: must be a host name or IP address (got \"https://x/\")"});
}

TEST(GatewayConfigTest, InvalidJsonIsReported) {
  StatusOr<GatewayConfig> config = ParseGatewayConfig("{\"listen\": ", "/");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("not valid JSON"), std::string::npos);
  EXPECT_FALSE(ParseGatewayConfig("[]", "/").ok());
}

TEST(GatewayConfigTest, LoadResolvesPathsAgainstTheFileDirectory) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "duet-config-test";
  std::filesystem::create_directories(dir / "conf");
  std::filesystem::path file = dir / "conf" / "duet.json";
  std::ofstream(file) << kValid;
  StatusOr<GatewayConfig> config = LoadGatewayConfig(file.string());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->source_path, file.string());
  EXPECT_EQ(config->tls.certificate, (dir / "certs/out/server.pem").string());
  EXPECT_EQ(config->store.path, (dir / "conf/var/duet.db").string());
  std::filesystem::remove_all(dir);
}

TEST(GatewayConfigTest, LoadNamesTheFileInErrors) {
  StatusOr<GatewayConfig> missing = LoadGatewayConfig("/nonexistent/duet.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "config /nonexistent/duet.json: cannot read: No such file or directory");

  std::filesystem::path file = std::filesystem::temp_directory_path() / "duet-config-bad.json";
  std::ofstream(file) << R"({"listen": {"host": "h", "port": 0}})";
  StatusOr<GatewayConfig> bad = LoadGatewayConfig(file.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("config " + file.string() + ":\n/listen/port:", 0), 0u)
      << bad.status().message();
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace duet::gateway
