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
  "log": {"level": "debug"}
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
}

TEST(GatewayConfigTest, OptionalFieldsHaveDefaults) {
  StatusOr<GatewayConfig> config = ParseGatewayConfig(R"({
    "listen": {"host": "0.0.0.0", "port": 443},
    "tls": {"certificate": "c.pem", "private_key": "k.pem", "client_ca": "ca.pem"},
    "store": {"path": ":memory:"},
    "practice": {"identifier_base": "urn:oid:1.2.3"}
  })",
                                                      "/srv");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->listen.threads, 16u);
  EXPECT_EQ(config->limits.max_body_bytes, 4u * 1024 * 1024);
  EXPECT_EQ(config->fhir.base_url, "");
  EXPECT_EQ(config->log.level, "info");
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
    "log": {"level": "loud"},
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
                 });
}

TEST(GatewayConfigTest, MissingSectionsAreNamed) {
  ExpectProblems(R"({"listen": []})", {
                                          "/listen: must be an object",
                                          "/tls: required section is missing",
                                          "/store: required section is missing",
                                          "/practice: required section is missing",
                                      });
}

TEST(GatewayConfigTest, PortMustBeAWholeNumber) {
  const std::string rest = R"(, "tls": {"certificate": "c", "private_key": "k"},
    "store": {"path": "s"}, "practice": {"identifier_base": "urn:x:y"}})";
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
    "practice": {"identifier_base": "urn:x:y"}})",
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
