#include "fhir/client/fhir_client.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <ctime>
#include <functional>
#include <thread>

#include "fhir/client/curl_http_transport.h"
#include "tests/support/https_client.h"
#include "tests/support/scripted_https_server.h"

namespace duet::fhir {
namespace {

using std::chrono::milliseconds;
using test::ScriptedHandler;
using test::ScriptedHeaders;
using test::ScriptedHttpsServer;
using test::ScriptedHttpsServerOptions;
using test::ScriptedRequest;
using test::ScriptedResponse;
using test::Sequence;
using Clock = std::chrono::steady_clock;

constexpr const char* kPatient = R"({"resourceType":"Patient","id":"p1"})";

std::string Gzip(const std::string& text) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, text.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::string HttpDate(std::chrono::system_clock::time_point when) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[64];
  std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return text;
}

// Polls `condition` for up to two seconds: for what the server's threads record a moment after
// the client has its answer.
bool Eventually(const std::function<bool()>& condition) {
  for (Clock::time_point end = Clock::now() + std::chrono::seconds(2); Clock::now() < end;) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return condition();
}

ScriptedResponse SlowPatient() {
  ScriptedResponse slow = ScriptedResponse::Fhir(200, kPatient);
  slow.delay = milliseconds(10000);
  return slow;
}

ScriptedResponse Unavailable(ScriptedHeaders headers = {}) {
  return ScriptedResponse::Fhir(503, "{}", std::move(headers));
}

ScriptedResponse Outcome(int status, const std::string& diagnostics) {
  return ScriptedResponse::Fhir(status,
                                R"({"resourceType":"OperationOutcome","issue":[)"
                                R"({"severity":"error","code":"processing","diagnostics":")" +
                                    diagnostics + R"("}]})");
}

// A searchset page with `ids` as Patients and a next link when `next` is not empty.
std::string SearchPage(const std::vector<std::string>& ids, const std::string& next) {
  Json bundle = Json::MakeObject();
  bundle.Set("resourceType", Json::String("Bundle"));
  bundle.Set("type", Json::String("searchset"));
  Json& links = bundle.Set("link", Json::MakeArray());
  if (!next.empty()) {
    Json& link = links.Append(Json::MakeObject());
    link.Set("relation", Json::String("next"));
    link.Set("url", Json::String(next));
  }
  Json& entries = bundle.Set("entry", Json::MakeArray());
  for (const std::string& id : ids) {
    Json& resource = entries.Append(Json::MakeObject()).Set("resource", Json::MakeObject());
    resource.Set("resourceType", Json::String("Patient"));
    resource.Set("id", Json::String(id));
  }
  return WriteJson(bundle);
}

class FhirClientTest : public ::testing::Test {
 protected:
  void StartServer(ScriptedHandler handler, ScriptedHttpsServerOptions options = {}) {
    server_ = std::make_unique<ScriptedHttpsServer>(std::move(handler), std::move(options));
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  FhirClientOptions Options() {
    FhirClientOptions options;
    options.base_url = server_->base_url() + "/fhir";
    options.ca_file = test::TestCertsDir() + "/ca.pem";
    options.timeout = milliseconds(5000);
    options.retry.initial_backoff = milliseconds(100);
    options.retry.jitter = 0;
    options.sleep = [this](milliseconds wait) { waits_.push_back(wait); };
    return options;
  }

  std::unique_ptr<FhirClient> Client(FhirClientOptions options) {
    StatusOr<std::unique_ptr<FhirClient>> client = FhirClient::Create(std::move(options));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }
  std::unique_ptr<FhirClient> Client() { return Client(Options()); }

  std::unique_ptr<ScriptedHttpsServer> server_;
  std::vector<milliseconds> waits_;
};

TEST_F(FhirClientTest, ReadSendsFhirHeadersAndParsesTheResource) {
  StartServer(Sequence({ScriptedResponse::Fhir(200, kPatient)}));
  StatusOr<Json> patient = Client()->Read("Patient", "p1");
  ASSERT_TRUE(patient.ok()) << patient.status().ToString();
  EXPECT_EQ(patient->StringOr("id"), "p1");
  ASSERT_EQ(server_->request_count(), 1U);
  ScriptedRequest request = server_->requests()[0];
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/fhir/Patient/p1");
  ASSERT_NE(request.Header("Accept"), nullptr);
  EXPECT_EQ(*request.Header("Accept"), "application/fhir+json");
  ASSERT_NE(request.Header("User-Agent"), nullptr);
  EXPECT_EQ(*request.Header("User-Agent"), "duet-fhir-client");
  EXPECT_EQ(request.Header("Authorization"), nullptr);
}

TEST_F(FhirClientTest, RetriesUnavailableHonouringRetryAfter) {
  StartServer(Sequence(
      {Unavailable({{"Retry-After", "7"}}), Unavailable(), ScriptedResponse::Fhir(200, kPatient)}));
  StatusOr<Json> patient = Client()->Read("Patient", "p1");
  ASSERT_TRUE(patient.ok()) << patient.status().ToString();
  EXPECT_EQ(server_->request_count(), 3U);
  EXPECT_EQ(waits_, (std::vector<milliseconds>{milliseconds(7000), milliseconds(200)}));
}

TEST_F(FhirClientTest, RetryAfterAsHttpDateIsHonoured) {
  std::string in_a_minute = HttpDate(std::chrono::system_clock::now() + std::chrono::seconds(60));
  StartServer(Sequence({ScriptedResponse::Fhir(429, "{}", {{"Retry-After", in_a_minute}}),
                        ScriptedResponse::Fhir(200, kPatient)}));
  ASSERT_TRUE(Client()->Read("Patient", "p1").ok());
  ASSERT_EQ(waits_.size(), 1U);
  EXPECT_GE(waits_[0], milliseconds(58000));
  EXPECT_LE(waits_[0], milliseconds(60000));
}

TEST_F(FhirClientTest, GivesUpAfterMaxAttemptsWithTheLastAnswer) {
  StartServer(Sequence({Unavailable()}));
  FhirClientOptions options = Options();
  options.retry.max_attempts = 4;
  options.retry.max_backoff = milliseconds(300);
  StatusOr<Json> patient = Client(options)->Read("Patient", "p1");
  EXPECT_EQ(patient.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(patient.status().message().find("HTTP 503 after 4 attempts"), std::string::npos)
      << patient.status().message();
  EXPECT_EQ(server_->request_count(), 4U);
  EXPECT_EQ(waits_,
            (std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(300)}));
}

struct ClientErrorCase {
  int http_status;
  StatusCode code;
};

class FhirClientErrorTest : public FhirClientTest,
                            public ::testing::WithParamInterface<ClientErrorCase> {};

TEST_P(FhirClientErrorTest, OtherClientErrorsAreNotRetried) {
  StartServer(Sequence(
      {Outcome(GetParam().http_status, "no such thing"), ScriptedResponse::Fhir(200, kPatient)}));
  StatusOr<Json> patient = Client()->Read("Patient", "p1");
  EXPECT_EQ(patient.status().code(), GetParam().code);
  EXPECT_EQ(server_->request_count(), 1U);
  EXPECT_TRUE(waits_.empty());
  std::string expected = "GET " + server_->base_url() + "/fhir/Patient/p1: HTTP " +
                         std::to_string(GetParam().http_status) + ": no such thing";
  EXPECT_EQ(patient.status().message(), expected);
}

INSTANTIATE_TEST_SUITE_P(Statuses, FhirClientErrorTest,
                         ::testing::Values(ClientErrorCase{400, StatusCode::kInvalidArgument},
                                           ClientErrorCase{403, StatusCode::kPermissionDenied},
                                           ClientErrorCase{404, StatusCode::kNotFound},
                                           ClientErrorCase{409, StatusCode::kConflict},
                                           ClientErrorCase{410, StatusCode::kGone},
                                           ClientErrorCase{412, StatusCode::kFailedPrecondition},
                                           ClientErrorCase{422, StatusCode::kUnprocessable}),
                         [](const ::testing::TestParamInfo<ClientErrorCase>& param_info) {
                           return "Http" + std::to_string(param_info.param.http_status);
                         });

TEST_F(FhirClientTest, UnauthorizedRefreshesTheTokenOnce) {
  StartServer([](const ScriptedRequest& request) {
    const std::string* authorization = request.Header("Authorization");
    bool fresh = authorization != nullptr && *authorization == "Bearer fresh";
    return fresh ? ScriptedResponse::Fhir(200, kPatient) : Outcome(401, "token expired");
  });
  std::vector<bool> refreshes;
  FhirClientOptions options = Options();
  options.authorization = [&refreshes](bool refresh) -> StatusOr<std::string> {
    refreshes.push_back(refresh);
    return std::string(refresh ? "Bearer fresh" : "Bearer stale");
  };
  ASSERT_TRUE(Client(options)->Read("Patient", "p1").ok());
  EXPECT_EQ(refreshes, (std::vector<bool>{false, true}));
  EXPECT_EQ(server_->request_count(), 2U);
  EXPECT_TRUE(waits_.empty());
}

TEST_F(FhirClientTest, UnauthorizedTwiceIsUnauthenticatedWithoutTheToken) {
  StartServer(Sequence({Outcome(401, "invalid token")}));
  FhirClientOptions options = Options();
  options.authorization = [](bool) -> StatusOr<std::string> {
    return std::string("Bearer s3cr3t-token");
  };
  StatusOr<Json> patient = Client(options)->Read("Patient", "p1");
  EXPECT_EQ(patient.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(server_->request_count(), 2U);
  EXPECT_EQ(patient.status().message().find("s3cr3t"), std::string::npos);
}

TEST_F(FhirClientTest, AuthorizationFailureStopsTheCall) {
  StartServer(Sequence({ScriptedResponse::Fhir(200, kPatient)}));
  FhirClientOptions options = Options();
  options.authorization = [](bool) -> StatusOr<std::string> {
    return Status(StatusCode::kUnauthenticated, "token endpoint said invalid_client");
  };
  StatusOr<Json> patient = Client(options)->Read("Patient", "p1");
  EXPECT_EQ(patient.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(server_->request_count(), 0U);
}

TEST_F(FhirClientTest, DroppedConnectionIsRetried) {
  StartServer(Sequence({ScriptedResponse::Drop(), ScriptedResponse::Fhir(200, kPatient)}));
  ASSERT_TRUE(Client()->Read("Patient", "p1").ok());
  EXPECT_EQ(server_->request_count(), 2U);
  EXPECT_EQ(server_->connections_accepted(), 2);
  EXPECT_EQ(waits_.size(), 1U);
}

TEST_F(FhirClientTest, PlainCreateIsNotRetriedOnceItMayHaveArrived) {
  StartServer(Sequence({ScriptedResponse::Drop(), ScriptedResponse::Fhir(201, kPatient)}));
  StatusOr<FhirResponse> created = Client()->Send("POST", "Patient", kPatient);
  EXPECT_EQ(created.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(server_->request_count(), 1U);
}

TEST_F(FhirClientTest, PlainCreateIsNotRetriedOn503ButIsOn429) {
  StartServer(Sequence({ScriptedResponse::Fhir(429, "{}"), Unavailable()}));
  StatusOr<FhirResponse> created = Client()->Send("POST", "Patient", kPatient);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->status, 503);
  EXPECT_EQ(created->attempts, 2);
  EXPECT_EQ(server_->request_count(), 2U);
}

TEST_F(FhirClientTest, ConditionalCreateSendsIfNoneExistAndIsRetried) {
  StartServer(Sequence(
      {ScriptedResponse::Drop(), ScriptedResponse::Fhir(201, kPatient, {{"ETag", "W/\"1\""}})}));
  Json patient = *ParseJson(kPatient);
  StatusOr<FhirResponse> created =
      Client()->ConditionalCreate("Patient", patient, "identifier=urn:mrn|42");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->status, 201);
  EXPECT_EQ(created->ETag(), "W/\"1\"");
  std::vector<ScriptedRequest> requests = server_->requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].target, "/fhir/Patient");
  ASSERT_NE(requests[1].Header("If-None-Exist"), nullptr);
  EXPECT_EQ(*requests[1].Header("If-None-Exist"), "identifier=urn:mrn|42");
  ASSERT_NE(requests[1].Header("Content-Type"), nullptr);
  EXPECT_EQ(requests[1].Header("Content-Type")->rfind("application/fhir+json", 0), 0U);
  EXPECT_EQ(*ParseJson(requests[1].body), patient);
}

TEST_F(FhirClientTest, ConnectionRefusedIsRetriedEvenForPost) {
  StartServer(Sequence({}));
  FhirClientOptions options = Options();
  server_->Stop();
  options.retry.max_attempts = 3;
  StatusOr<FhirResponse> created = Client(options)->Send("POST", "Patient", kPatient);
  EXPECT_EQ(created.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(created.status().message().find("after 3 attempts"), std::string::npos)
      << created.status().message();
  EXPECT_EQ(waits_.size(), 2U);
}

TEST_F(FhirClientTest, AttemptTimeoutIsDeadlineExceeded) {
  StartServer(Sequence({SlowPatient()}));
  FhirClientOptions options = Options();
  options.timeout = milliseconds(300);
  options.retry.max_attempts = 2;
  Clock::time_point start = Clock::now();
  StatusOr<Json> patient = Client(options)->Read("Patient", "p1");
  EXPECT_EQ(patient.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(Clock::now() - start, milliseconds(3000));
  EXPECT_EQ(waits_.size(), 1U);
}

TEST_F(FhirClientTest, TotalDeadlineCutsAnAttemptShort) {
  StartServer(Sequence({SlowPatient()}));
  FhirClientOptions options = Options();
  options.timeout = milliseconds(30000);
  options.total_deadline = milliseconds(500);
  Clock::time_point start = Clock::now();
  StatusOr<Json> patient = Client(options)->Read("Patient", "p1");
  EXPECT_EQ(patient.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(Clock::now() - start, milliseconds(2500));
}

TEST_F(FhirClientTest, TotalDeadlineStopsRetriesThatWouldOverrunIt) {
  StartServer(Sequence({Unavailable({{"Retry-After", "1"}})}));
  FhirClientOptions options = Options();
  options.sleep = nullptr;  // really wait
  options.total_deadline = milliseconds(1500);
  Clock::time_point start = Clock::now();
  StatusOr<Json> patient = Client(options)->Read("Patient", "p1");
  auto elapsed = Clock::now() - start;
  EXPECT_EQ(patient.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(server_->request_count(), 2U);
  EXPECT_GE(elapsed, milliseconds(1000));
  EXPECT_LT(elapsed, milliseconds(2000));  // the deadline, plus slack for a busy machine
}

TEST_F(FhirClientTest, SearchAllFollowsNextLinks) {
  StartServer([this](const ScriptedRequest& request) {
    std::string base = server_->base_url() + "/fhir";
    if (request.target == "/fhir/Patient?name=a%7Cb&_count=2") {
      return ScriptedResponse::Fhir(200, SearchPage({"p1", "p2"}, base + "?_getpages=x&page=2"));
    }
    if (request.target == "/fhir?_getpages=x&page=2") {
      return ScriptedResponse::Fhir(200, SearchPage({"p3", "p4"}, base + "?_getpages=x&page=3"));
    }
    if (request.target == "/fhir?_getpages=x&page=3") {
      return ScriptedResponse::Fhir(200, SearchPage({"p5"}, ""));
    }
    return Outcome(404, "unexpected " + request.target);
  });
  StatusOr<SearchResult> found = Client()->SearchAll("Patient?name=a|b&_count=2");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->pages, 3);
  EXPECT_FALSE(found->truncated);
  std::vector<std::string> ids;
  for (const Json& resource : found->resources) ids.emplace_back(resource.StringOr("id"));
  EXPECT_EQ(ids, (std::vector<std::string>{"p1", "p2", "p3", "p4", "p5"}));
  EXPECT_EQ(server_->connections_accepted(), 1);
}

TEST_F(FhirClientTest, SearchAllStopsAtMaxPages) {
  StartServer([this](const ScriptedRequest& request) {
    return ScriptedResponse::Fhir(
        200, SearchPage({"p"}, server_->base_url() +
                                   "/fhir?page=" + std::to_string(server_->request_count() + 1)));
  });
  StatusOr<SearchResult> found = Client()->SearchAll("Patient", 2);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->pages, 2);
  EXPECT_TRUE(found->truncated);
  EXPECT_EQ(server_->request_count(), 2U);
}

TEST_F(FhirClientTest, SearchAllRefusesNextLinksToAnotherServer) {
  StartServer(Sequence(
      {ScriptedResponse::Fhir(200, SearchPage({"p1"}, "https://elsewhere.example/fhir?page=2"))}));
  StatusOr<SearchResult> found = Client()->SearchAll("Patient");
  EXPECT_EQ(found.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server_->request_count(), 1U);
}

TEST_F(FhirClientTest, SearchAllDetectsPagingLoops) {
  StartServer([this](const ScriptedRequest&) {
    return ScriptedResponse::Fhir(200, SearchPage({"p"}, server_->base_url() + "/fhir?page=1"));
  });
  StatusOr<SearchResult> found = Client()->SearchAll("Patient");
  EXPECT_EQ(found.status().code(), StatusCode::kInternal);
  EXPECT_EQ(server_->request_count(), 2U);
}

TEST_F(FhirClientTest, UpdateSendsIfMatchAndReportsAStaleVersion) {
  StartServer(Sequence({Outcome(412, "version 3 is not current")}));
  Json patient = *ParseJson(kPatient);
  StatusOr<FhirResponse> updated = Client()->Update("Patient", "p1", patient, WeakETag("3"));
  EXPECT_EQ(updated.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(updated.status().message().find("version 3 is not current"), std::string::npos);
  std::vector<ScriptedRequest> requests = server_->requests();
  ASSERT_EQ(requests.size(), 1U);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].target, "/fhir/Patient/p1");
  ASSERT_NE(requests[0].Header("If-Match"), nullptr);
  EXPECT_EQ(*requests[0].Header("If-Match"), "W/\"3\"");
}

TEST_F(FhirClientTest, ConditionalUpdatePutsToTheSearchUrl) {
  StartServer(Sequence({ScriptedResponse::Fhir(200, kPatient, {{"ETag", "W/\"2\""}})}));
  StatusOr<FhirResponse> updated =
      Client()->ConditionalUpdate("Patient?identifier=urn:mrn|42", *ParseJson(kPatient));
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->ETag(), "W/\"2\"");
  EXPECT_EQ(server_->requests()[0].method, "PUT");
  EXPECT_EQ(server_->requests()[0].target, "/fhir/Patient?identifier=urn:mrn%7C42");
}

TEST_F(FhirClientTest, TransactionOfConditionalEntriesIsRetried) {
  StartServer(
      Sequence({Unavailable(), ScriptedResponse::Fhir(200, R"({"resourceType":"Bundle",)"
                                                           R"("type":"transaction-response"})")}));
  Json bundle = *ParseJson(R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"resource":{"resourceType":"Patient"},
       "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=a|1"}},
      {"resource":{"resourceType":"Patient"},
       "request":{"method":"PUT","url":"Patient?identifier=a|2"}}]})");
  StatusOr<Json> response = Client()->Transaction(bundle);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->StringOr("type"), "transaction-response");
  std::vector<ScriptedRequest> requests = server_->requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].target, "/fhir");
  EXPECT_EQ(*ParseJson(requests[1].body), bundle);
}

TEST_F(FhirClientTest, TransactionWithAPlainCreateIsNotRetried) {
  StartServer(Sequence({Unavailable()}));
  Json bundle = *ParseJson(R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}}]})");
  EXPECT_EQ(Client()->Transaction(bundle).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(server_->request_count(), 1U);
}

TEST_F(FhirClientTest, ReusesOneConnectionAcrossCalls) {
  StartServer(Sequence({ScriptedResponse::Fhir(200, kPatient)}));
  std::unique_ptr<FhirClient> client = Client();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client->Read("Patient", "p1").ok());
  EXPECT_EQ(server_->request_count(), 5U);
  EXPECT_EQ(server_->connections_accepted(), 1);
}

TEST_F(FhirClientTest, IsSafeToCallFromSeveralThreads) {
  StartServer(Sequence({ScriptedResponse::Fhir(200, kPatient)}));
  std::unique_ptr<FhirClient> client = Client();
  std::atomic<int> successes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) successes += client->Read("Patient", "p1").ok() ? 1 : 0;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(successes, 40);
  EXPECT_LE(server_->connections_accepted(), 4);
}

TEST_F(FhirClientTest, DecodesGzipAnswers) {
  StartServer([](const ScriptedRequest& request) {
    const std::string* accepted = request.Header("Accept-Encoding");
    if (accepted == nullptr || accepted->find("gzip") == std::string::npos) {
      return Outcome(400, "gzip not offered");
    }
    return ScriptedResponse::Fhir(200, Gzip(kPatient), {{"Content-Encoding", "gzip"}});
  });
  StatusOr<Json> patient = Client()->Read("Patient", "p1");
  ASSERT_TRUE(patient.ok()) << patient.status().ToString();
  EXPECT_EQ(patient->StringOr("id"), "p1");
}

TEST_F(FhirClientTest, MutualTlsNeedsTheClientCertificate) {
  ScriptedHttpsServerOptions server_options;
  server_options.require_client_certificate = true;
  StartServer(Sequence({ScriptedResponse::Fhir(200, kPatient)}), server_options);

  FhirClientOptions without = Options();
  without.retry.max_attempts = 1;
  EXPECT_EQ(Client(without)->Read("Patient", "p1").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(server_->request_count(), 0U);
  EXPECT_TRUE(Eventually([this] { return server_->failed_handshakes() >= 1; }));

  FhirClientOptions with = Options();
  with.client_certificate = test::TestCertsDir() + "/client.pem";
  with.client_key = test::TestCertsDir() + "/client.key";
  StatusOr<Json> patient = Client(with)->Read("Patient", "p1");
  EXPECT_TRUE(patient.ok()) << patient.status().ToString();
}

TEST_F(FhirClientTest, UntrustedServerIsRefusedWithoutRetry) {
  StartServer(Sequence({ScriptedResponse::Fhir(200, kPatient)}));
  FhirClientOptions options = Options();
  options.ca_file = test::TestCertsDir() + "/client.pem";  // not the CA that signed the server
  StatusOr<Json> patient = Client(options)->Read("Patient", "p1");
  EXPECT_EQ(patient.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(waits_.empty());
}

TEST_F(FhirClientTest, SendReturnsAnyAnswerAndRefusesOtherHosts) {
  StartServer(Sequence({Outcome(404, "gone fishing")}));
  std::unique_ptr<FhirClient> client = Client();
  StatusOr<FhirResponse> response = client->Send("GET", "Patient/p9");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->url, server_->base_url() + "/fhir/Patient/p9");
  EXPECT_EQ(client->Send("GET", "https://elsewhere.example/fhir/Patient").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Send("GET", "Patient", "", {{"X-Bad", "a\r\nInjected: 1"}}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(FhirClientCreateTest, RefusesBadOptions) {
  FhirClientOptions options;
  options.base_url = "partner.example/fhir";
  EXPECT_EQ(FhirClient::Create(options).status().code(), StatusCode::kInvalidArgument);
  options.base_url = "https://partner.example/fhir/";
  options.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(FhirClient::Create(options).status().code(), StatusCode::kInvalidArgument);
  options.ca_file = "";
  options.client_certificate = test::TestCertsDir() + "/client.pem";
  EXPECT_EQ(FhirClient::Create(options).status().code(), StatusCode::kInvalidArgument);
  options.client_certificate = "";
  StatusOr<std::unique_ptr<FhirClient>> client = FhirClient::Create(options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_EQ((*client)->base_url(), "https://partner.example/fhir");
}

// Connection checks ask for the server's certificate: the attempt opens a new connection with a
// full handshake (a resumed TLS session carries no certificate chain) and reports the leaf.
TEST_F(FhirClientTest, ReportsTheServersCertificateOnlyWhenAsked) {
  StartServer(Sequence({ScriptedResponse::Fhir(200, R"({"resourceType":"CapabilityStatement"})")}));
  std::unique_ptr<FhirClient> client = Client();
  StatusOr<FhirResponse> plain = client->Send("GET", "metadata");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_FALSE(plain->peer_certificate.has_value());

  FhirRequest request;
  request.path = "metadata";
  request.capture_peer_certificate = true;
  StatusOr<FhirResponse> checked = client->Send(request);
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  ASSERT_TRUE(checked->peer_certificate.has_value());
  EXPECT_NE(checked->peer_certificate->subject.find("CN"), std::string::npos)
      << checked->peer_certificate->subject;
  EXPECT_NE(checked->peer_certificate->issuer.find("CN"), std::string::npos);
  const int64_t now = std::time(nullptr);
  EXPECT_GT(checked->peer_certificate->not_after, now);
  EXPECT_LT(checked->peer_certificate->not_after, now + int64_t{30} * 366 * 86400);
  EXPECT_EQ(server_->connections_accepted(), 2) << "the check does not reuse the connection";
}

TEST(ParseCertificateTimeTest, ReadsOpenSslsPrintedTimes) {
  EXPECT_EQ(ParseCertificateTime("Nov 27 20:03:34 2027 GMT"), 1827345814);
  EXPECT_EQ(ParseCertificateTime("Jan  3 00:00:00 2030 GMT"), 1893628800);
  EXPECT_EQ(ParseCertificateTime("Jan  3 00:00:00.25 2030 GMT"), 1893628800);
  EXPECT_EQ(ParseCertificateTime("2030-01-03 00:00:00"), 0);
  EXPECT_EQ(ParseCertificateTime("Foo  3 00:00:00 2030 GMT"), 0);
  EXPECT_EQ(ParseCertificateTime(""), 0);
}

}  // namespace
}  // namespace duet::fhir
