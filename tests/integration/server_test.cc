// `duet serve` as a real process over HTTPS: TLS policy, limits, start-up errors, shutdown.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "fhir/json.h"
#include "gateway/store/sqlite_connection.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;

Json Object(std::initializer_list<std::pair<const char*, Json>> members) {
  Json object = Json::MakeObject();
  for (const auto& [name, value] : members) object.Set(name, value);
  return object;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  TestServer server_;
};

TEST_F(ServerTest, HealthzAnswersOverTls12) {
  HttpsClientOptions options;
  options.min_tls = TlsVersion::k1_2;
  options.max_tls = TlsVersion::k1_2;
  HttpsResponse response = server_.Client(options).Get("/healthz");
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"status":"ok"})");
}

TEST_F(ServerTest, HealthzAnswersOverTls13) {
  HttpsClientOptions options;
  options.min_tls = TlsVersion::k1_3;
  HttpsResponse response = server_.Client(options).Get("/healthz");
  ASSERT_TRUE(response.ok()) << response.error;
  EXPECT_EQ(response.status, 200);
}

TEST_F(ServerTest, RefusesTls10And11) {
  for (TlsVersion version : {TlsVersion::k1_0, TlsVersion::k1_1}) {
    HttpsClientOptions options;
    options.min_tls = version;
    options.max_tls = version;
    options.ciphers = "DEFAULT:@SECLEVEL=0";  // let the client offer old versions at all
    HttpsResponse response = server_.Client(options).Get("/healthz");
    EXPECT_FALSE(response.ok());
    // The server, not the client, said no.
    EXPECT_TRUE(Contains(response.error, "alert protocol version")) << response.error;
  }
}

TEST_F(ServerTest, RefusesTls11WithOpensslSClient) {
  ProcessResult result =
      RunProcess({"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(server_.port()),
                  "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"},
                 "Q\n");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_TRUE(Contains(result.out + result.err, "alert protocol version"))
      << result.out << result.err;
}

// A partner that reconnects resumes its TLS session (libcurl and browsers do by default); with
// client certificates required, that needs a session id context on the server.
TEST(ServerMutualTlsTest, AClientResumesItsSessionWithItsCertificate) {
  std::string certs = TestCertsDir();
  TestServerOptions options;
  options.extra_config =
      Object({{"tls", Object({{"client_ca", Json::String(certs + "/ca.pem")}})}});
  TestServer server(options);
  ASSERT_TRUE(server.Start().ok()) << server.log();
  std::string session = server.config_dir() + "/tls-session.pem";
  for (const char* version : {"-tls1_2", "-tls1_3"}) {
    std::vector<std::string> connect = {"openssl",
                                        "s_client",
                                        "-connect",
                                        "127.0.0.1:" + std::to_string(server.port()),
                                        version,
                                        "-CAfile",
                                        certs + "/ca.pem",
                                        "-cert",
                                        certs + "/client.pem",
                                        "-key",
                                        certs + "/client.key",
                                        "-ign_eof"};  // read until the server closes
    std::vector<std::string> first = connect;
    first.insert(first.end(), {"-sess_out", session});
    ProcessResult fresh =
        RunProcess(first, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_TRUE(Contains(fresh.out, "New, TLSv1.")) << version << fresh.out << fresh.err;
    std::vector<std::string> again = connect;
    again.insert(again.end(), {"-sess_in", session});
    ProcessResult resumed =
        RunProcess(again, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    // TLS 1.2 sends its ticket in the handshake; TLS 1.3 after it, and a client that leaves early
    // has none to resume with (then the second handshake must still succeed).
    bool ticket = std::string(version) == "-tls1_2" ||
                  Contains(fresh.out, "Post-Handshake New Session Ticket arrived");
    if (ticket) {
      EXPECT_TRUE(Contains(resumed.out, "Reused, ")) << version << resumed.out << resumed.err;
    }
    EXPECT_FALSE(Contains(resumed.err, "alert")) << version << resumed.err;
    EXPECT_TRUE(Contains(resumed.out, "Verification: OK")) << version << resumed.out;
  }
}

TEST_F(ServerTest, RefusesWeakCipherSuites) {
  // CBC modes, static RSA key exchange, SHA-1 MACs. (This OpenSSL cannot even offer 3DES or RC4.)
  for (const char* cipher : {"AES128-SHA", "AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA",
                             "ECDHE-RSA-AES256-SHA384", "AES128-SHA256"}) {
    HttpsClientOptions options;
    options.max_tls = TlsVersion::k1_2;
    options.ciphers = std::string(cipher) + ":@SECLEVEL=0";
    HttpsResponse response = server_.Client(options).Get("/healthz");
    EXPECT_FALSE(response.ok()) << cipher;
    EXPECT_TRUE(Contains(response.error, "handshake failure")) << cipher << ": " << response.error;
  }
}

TEST_F(ServerTest, AcceptsStrongTls12Suites) {
  for (const char* cipher : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                             "ECDHE-RSA-CHACHA20-POLY1305"}) {
    HttpsClientOptions options;
    options.max_tls = TlsVersion::k1_2;
    options.ciphers = cipher;
    HttpsResponse response = server_.Client(options).Get("/healthz");
    EXPECT_EQ(response.status, 200) << cipher << ": " << response.error;
  }
}

TEST_F(ServerTest, UnknownPathIsJson404) {
  HttpsResponse response = server_.Client().Get("/nothing-here");
  EXPECT_EQ(response.status, 404);
  EXPECT_TRUE(fhir::ParseJson(response.body).ok()) << response.body;
}

TEST_F(ServerTest, SigtermStopsCleanly) {
  EXPECT_EQ(server_.Stop(), 0) << server_.log();
  EXPECT_TRUE(Contains(server_.log(), "received SIGTERM; stopping")) << server_.log();
  EXPECT_TRUE(Contains(server_.log(), "stopped")) << server_.log();
}

TEST_F(ServerTest, RestartServesAgainOnTheSamePort) {
  ASSERT_TRUE(server_.Restart().ok()) << server_.log();
  EXPECT_EQ(server_.Client().Get("/healthz").status, 200);
}

TEST(ServerLimitsTest, OversizedBodyIs413) {
  TestServerOptions options;
  options.extra_config = Object({{"limits", Object({{"max_body_bytes", Json::Integer(2048)}})}});
  TestServer server(options);
  ASSERT_TRUE(server.Start().ok()) << server.log();
  HttpsClient client = server.Client();
  HttpsResponse response = client.Post("/healthz", std::string(3000, 'x'));
  EXPECT_EQ(response.status, 413) << response.error;
  StatusOr<Json> body = fhir::ParseJson(response.body);
  ASSERT_TRUE(body.ok()) << response.body;
  EXPECT_EQ(body->StringOr("error"), "request body larger than 2048 bytes");
  HttpsResponse chunked = client.Send("POST", "/healthz", std::string(100000, 'x'), {}, true);
  EXPECT_EQ(chunked.status, 413) << chunked.error;
}

TEST(ServerStartupTest, BadCertificatePathExitsWithAClearMessage) {
  TestServerOptions options;
  options.extra_config =
      Object({{"tls", Object({{"certificate", Json::String("/nonexistent/server.pem")}})}});
  TestServer server(options);
  ProcessResult result = RunDuet({"serve", "--config", server.config_path()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_TRUE(Contains(result.err,
                       "tls.certificate: cannot read /nonexistent/server.pem: No such file or "
                       "directory"))
      << result.err;
}

TEST(ServerStartupTest, PortInUseExitsWithAClearMessage) {
  TestServer holder;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(holder.port()));
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  ProcessResult result = RunDuet({"serve", "--config", holder.config_path()});
  close(fd);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_TRUE(Contains(result.err, "cannot listen on 127.0.0.1:" + std::to_string(holder.port())))
      << result.err;
  EXPECT_TRUE(Contains(result.err, "in use")) << result.err;
}

TEST(ServerStartupTest, ASecondGatewayOnTheSameStoreIsRefused) {
  TestServer first;
  ASSERT_TRUE(first.Start().ok()) << first.log();
  TestServerOptions options;
  options.extra_config = Object({{"store", Object({{"path", Json::String(first.store_path())}})}});
  TestServer second(options);
  ProcessResult result = RunDuet({"serve", "--config", second.config_path()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_TRUE(Contains(result.err, "another gateway is serving the store " + first.store_path()))
      << result.err;
  first.Stop();
  TestServer third(options);
  ASSERT_TRUE(third.Start().ok()) << third.log();  // the lock went with the first gateway
}

TEST(ServerStartupTest, InvalidConfigListsEveryProblem) {
  TestServerOptions options;
  options.extra_config = Object(
      {{"listen", Object({{"port", Json::Integer(0)}})}, {"store", Object({{"path", Json()}})}});
  TestServer server(options);
  ProcessResult result = RunDuet({"serve", "--config", server.config_path()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(Contains(result.err, "/listen/port: must be an integer 1-65535")) << result.err;
  EXPECT_TRUE(Contains(result.err, "/store/path: required")) << result.err;
}

TEST(ServerStartupTest, MissingConfigFileExitsWithOne) {
  ProcessResult result = RunDuet({"serve", "--config", "/nonexistent/duet.json"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(Contains(result.err, "/nonexistent/duet.json")) << result.err;
}

TEST(CommandLineTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(RunDuet({}).exit_code, 2);
  EXPECT_EQ(RunDuet({"serve"}).exit_code, 2);
  EXPECT_EQ(RunDuet({"no-such-command"}).exit_code, 2);
  EXPECT_EQ(RunDuet({"--help"}).exit_code, 0);
}

TEST(CommandLineTest, ValidateReadsStdinAndReportsProblems) {
  ProcessResult valid =
      RunProcess({DuetBinary(), "validate", "-"}, R"({"resourceType":"Patient","id":"p1"})");
  EXPECT_EQ(valid.exit_code, 0) << valid.out << valid.err;
  ProcessResult invalid = RunProcess({DuetBinary(), "validate"}, "{not json");
  EXPECT_EQ(invalid.exit_code, 1) << invalid.out << invalid.err;
  EXPECT_EQ(RunDuet({"validate", "/nonexistent/resource.json"}).exit_code, 2);
}

// audit.retention_days: `duet serve` deletes the records past the period when it starts.
TEST(AuditRetentionIntegrationTest, ServeDeletesRecordsPastTheRetentionPeriod) {
  TestServerOptions options;
  options.extra_config = ParseOrFail(R"({"audit": {"retention_days": 2190}})");
  TestServer server(std::move(options));
  ASSERT_TRUE(server.Start().ok()) << server.log();
  ASSERT_EQ(server.Client().Get("/fhir/Patient").status, 200);  // a recent record
  ASSERT_EQ(server.Stop(), 0);
  {  // A record of 2019, as a gateway that kept records for good would have left it.
    auto db = gateway::SqliteConnection::Open(server.store_path(), {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO audit_event (id, recorded_ms, agent_kind, client_id, "
                           "organization_npi, interaction, resource_type, resource_id, "
                           "http_status, outcome, remote_address, patients, resources) VALUES "
                           "('old-1', 1546300800000, 'development', 'development', '', 'read', "
                           "'Patient', 'p-old', 200, 0, '127.0.0.1', 'p-old', 'Patient/p-old');"
                           "INSERT INTO audit_patient (patient_id, seq) "
                           "SELECT 'p-old', seq FROM audit_event WHERE id = 'old-1';")
                    .ok());
  }
  ASSERT_TRUE(server.Start().ok()) << server.log();
  std::string old_total;
  for (int i = 0; i < 100; ++i) {
    HttpsResponse old = server.Client().Get("/admin/v1/audit?patient=p-old");
    ASSERT_EQ(old.status, 200) << old.body;
    old_total = ParseOrFail(old.body).Find("total")->number_text();
    if (old_total == "0") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(old_total, "0") << "the 2019 record is gone";
  HttpsResponse recent = server.Client().Get("/admin/v1/audit?interaction=search-type");
  ASSERT_EQ(recent.status, 200);
  EXPECT_NE(ParseOrFail(recent.body).Find("total")->number_text(), "0") << "today's stays";
  EXPECT_NE(server.log().find("audit: deleted 1 records recorded more than 2190 days ago"),
            std::string::npos)
      << server.log();
}

TEST(CommandLineTest, VersionPrintsTheVersion) {
  ProcessResult result = RunDuet({"version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.rfind("duet ", 0), 0u) << result.out;
  // The allocator the build chose (cmake/DuetAllocator.cmake) is the one the binary runs with.
  EXPECT_TRUE(Contains(result.out, std::string("\nmemory allocator: ") + DUET_EXPECTED_ALLOCATOR))
      << result.out;
}

}  // namespace
}  // namespace duet::test
