// Health, readiness, metrics, request ids, JSON logs and graceful shutdown of the real `duet
// serve` process. /metrics is read with the Prometheus project's own text-format parser
// (tests/integration/parse_prometheus.py on python3-prometheus-client).
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fhir/json.h"
#include "gateway/tls/tls_settings.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;
using Clock = std::chrono::steady_clock;

// One parsed family's samples: sample name + sorted labels → value.
struct Scrape {
  std::map<std::string, std::string> types;  // family name → type
  std::map<std::string, double> values;      // "name{a=\"x\",b=\"y\"}" → value

  double Value(const std::string& key, double missing = 0) const {
    auto found = values.find(key);
    return found == values.end() ? missing : found->second;
  }
  bool Has(const std::string& key) const { return values.count(key) > 0; }
};

std::string Key(const std::string& name, const std::map<std::string, std::string>& labels) {
  std::string key = name;
  if (labels.empty()) return key;
  key += '{';
  bool first = true;
  for (const auto& [label, value] : labels) {
    if (!first) key += ',';
    first = false;
    key += label + "=\"" + value + "\"";
  }
  return key + '}';
}

// Parses the exposition with the Prometheus parser; fails the test when it does not parse.
Scrape ParseExposition(const std::string& text) {
  ProcessResult parsed = RunProcess(
      {"/usr/bin/python3", std::string(DUET_SOURCE_DIR) + "/tests/integration/parse_prometheus.py"},
      text);
  Scrape scrape;
  EXPECT_EQ(parsed.exit_code, 0) << parsed.err << "\n" << text;
  if (parsed.exit_code != 0) return scrape;
  auto families = fhir::ParseJson(parsed.out);
  EXPECT_TRUE(families.ok()) << parsed.out;
  if (!families.ok()) return scrape;
  for (const Json& family : families->items()) {
    scrape.types[family.Find("name")->string_value()] = family.Find("type")->string_value();
    for (const Json& sample : family.Find("samples")->items()) {
      std::map<std::string, std::string> labels;
      for (const auto& [label, value] : sample.Find("labels")->members()) {
        labels[label] = value.string_value();
      }
      scrape.values[Key(sample.Find("name")->string_value(), labels)] =
          std::stod(sample.Find("value")->string_value());
    }
  }
  return scrape;
}

Scrape ScrapeMetrics(TestServer& server) {
  HttpsResponse response = server.Client().Get("/metrics");
  EXPECT_EQ(response.status, 200) << response.error;
  const std::string* type = response.Header("Content-Type");
  EXPECT_TRUE(type != nullptr && type->rfind("text/plain; version=0.0.4", 0) == 0);
  return ParseExposition(response.body);
}

// Scrapes until `done` holds (the server counts a request just after its answer is sent).
Scrape ScrapeUntil(TestServer& server, const std::function<bool(const Scrape&)>& done,
                   std::chrono::seconds timeout = std::chrono::seconds(10)) {
  auto deadline = Clock::now() + timeout;
  Scrape scrape = ScrapeMetrics(server);
  while (!done(scrape) && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    scrape = ScrapeMetrics(server);
  }
  return scrape;
}

// Polls `path` until it answers `status` (or 10 s pass); the last answer.
HttpsResponse PollFor(TestServer& server, const std::string& path, long status) {
  auto deadline = Clock::now() + std::chrono::seconds(10);
  HttpsResponse response = server.Client().Get(path);
  while (response.status != status && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    response = server.Client().Get(path);
  }
  return response;
}

Json Object(std::initializer_list<std::pair<const char*, Json>> members) {
  Json object = Json::MakeObject();
  for (const auto& [name, value] : members) object.Set(name, value);
  return object;
}

// Default logging (JSON lines), as `duet serve` runs without a log.format.
TestServerOptions JsonLogs() {
  TestServerOptions options;
  options.extra_config = Object({{"log", Object({{"format", Json()}})}});
  return options;
}

std::vector<std::string> LogLines(const TestServer& server) {
  std::vector<std::string> lines;
  std::istringstream in(server.log());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

const HeaderList kFhirJson = {{"Content-Type", "application/fhir+json"}};

class ObservabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  TestServer server_{JsonLogs()};
};

TEST_F(ObservabilityTest, MetricsParseAndCountTheRequestsMade) {
  const std::string metadata =
      R"(duet_http_requests_total{method="GET",route="/fhir/metadata",status="200"})";
  const std::string missing =
      R"(duet_http_requests_total{method="GET",route="/fhir/{type}/{id}",status="404"})";
  const std::string metadata_count =
      R"(duet_http_request_duration_seconds_count{route="/fhir/metadata"})";
  Scrape before = ScrapeMetrics(server_);
  HttpsClient client = server_.Client();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client.Get("/fhir/metadata").status, 200);
  for (int i = 0; i < 2; ++i) ASSERT_EQ(client.Get("/fhir/Patient/no-such-patient").status, 404);

  Scrape after = ScrapeUntil(server_, [&](const Scrape& scrape) {
    return scrape.Value(metadata) >= before.Value(metadata) + 3 &&
           scrape.Value(missing) >= before.Value(missing) + 2 &&
           scrape.Value(metadata_count) >= before.Value(metadata_count) + 3;
  });
  EXPECT_EQ(after.Value(metadata) - before.Value(metadata), 3);
  EXPECT_EQ(after.Value(missing) - before.Value(missing), 2);
  EXPECT_EQ(after.Value(metadata_count) - before.Value(metadata_count), 3);
  EXPECT_GE(
      after.Value(R"(duet_http_request_duration_seconds_bucket{le="+Inf",route="/fhir/metadata"})"),
      3);
  EXPECT_GE(after.Value(R"(duet_http_requests_total{method="GET",route="/metrics",status="200"})"),
            1);
  // The scrape itself is in flight while it is answered.
  EXPECT_GE(after.Value("duet_http_requests_in_flight"), 1);
  EXPECT_EQ(after.types["duet_http_requests"], "counter");
  EXPECT_EQ(after.types["duet_http_request_duration_seconds"], "histogram");

  // The certificate's notAfter, the process start and the build.
  auto tls = gateway::TlsSettings::Load(
      {TestCertsDir() + "/server.pem", TestCertsDir() + "/server.key", ""});
  ASSERT_TRUE(tls.ok());
  double not_after = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                             (*tls)->certificate_not_after().time_since_epoch())
                                             .count());
  EXPECT_EQ(after.Value("duet_tls_certificate_expiry_timestamp_seconds"), not_after);
  double now = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  double started = after.Value("process_start_time_seconds");
  EXPECT_GT(started, now - 120);
  EXPECT_LE(started, now + 1);
  EXPECT_EQ(after.Value(std::string(R"(duet_build_info{version=")") + DUET_VERSION + "\"}"), 1);
  EXPECT_TRUE(after.Has("duet_auth_tokens_issued_total"));
  EXPECT_EQ(after.Value("duet_auth_tokens_issued_total"), 0);
}

TEST_F(ObservabilityTest, MetricsLabelsCarryNoIds) {
  HttpsClient client = server_.Client();
  ASSERT_EQ(client.Get("/fhir/Patient/pt-004512-secret").status, 404);
  ASSERT_EQ(client.Get("/no/such/path/42").status, 404);
  HttpsResponse response = PollFor(server_, "/metrics", 200);
  EXPECT_EQ(response.body.find("pt-004512-secret"), std::string::npos);
  EXPECT_EQ(response.body.find("/no/such/path"), std::string::npos);
  EXPECT_NE(response.body.find("route=\"other\""), std::string::npos);
}

TEST_F(ObservabilityTest, HealthzAndReadyzAnswerWhileServing) {
  HttpsResponse health = server_.Client().Get("/healthz");
  EXPECT_EQ(health.status, 200);
  HttpsResponse ready = server_.Client().Get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, R"({"status":"ready"})");
}

TEST_F(ObservabilityTest, ReadyzFlipsWhenTheStoreIsUnreachableAndBack) {
  ASSERT_EQ(server_.Client().Get("/readyz").status, 200);
  const std::string away = server_.store_path() + ".away";
  std::filesystem::rename(server_.store_path(), away);
  HttpsResponse down = PollFor(server_, "/readyz", 503);
  std::filesystem::rename(away, server_.store_path());
  ASSERT_EQ(down.status, 503) << down.body;
  auto body = fhir::ParseJson(down.body);
  ASSERT_TRUE(body.ok()) << down.body;
  EXPECT_EQ(body->Find("status")->string_value(), "not ready");
  ASSERT_NE(body->Find("failing"), nullptr);
  EXPECT_NE(body->Find("failing")->Find("store"), nullptr) << down.body;
  EXPECT_EQ(body->Find("failing")->Find("shutdown"), nullptr) << down.body;
  // /healthz stays up: the process is alive, only not ready.
  EXPECT_EQ(server_.Client().Get("/healthz").status, 200);

  HttpsResponse up = PollFor(server_, "/readyz", 200);
  EXPECT_EQ(up.status, 200) << up.body;
  std::string log = server_.log();
  EXPECT_NE(log.find("readiness: store check fails"), std::string::npos) << log;
  EXPECT_NE(log.find("readiness: store check passes again"), std::string::npos) << log;
}

TEST_F(ObservabilityTest, RequestIdsGoBackInTheAnswerAndIntoJsonAccessLogs) {
  HttpsClient client = server_.Client();
  HttpsResponse kept = client.Get("/fhir/metadata", {{"X-Request-Id", "it-trace-0042"}});
  ASSERT_EQ(kept.status, 200);
  ASSERT_NE(kept.Header("X-Request-Id"), nullptr);
  EXPECT_EQ(*kept.Header("X-Request-Id"), "it-trace-0042");
  HttpsResponse made = client.Get("/fhir/Patient?identifier=urn:mrn%7CPT-SECRET-9",
                                  {{"X-Request-Id", "not acceptable!"}});
  ASSERT_EQ(made.status, 200) << made.body;
  ASSERT_NE(made.Header("X-Request-Id"), nullptr);
  const std::string made_id = *made.Header("X-Request-Id");
  EXPECT_EQ(made_id.size(), 32u);
  // A failure answered by the FHIR API carries one too.
  HttpsResponse failed = client.Get("/fhir/NoSuchType");
  EXPECT_EQ(failed.status, 404);
  EXPECT_NE(failed.Header("X-Request-Id"), nullptr);

  // Every line is one JSON object; each request has one access line, without its query.
  std::map<std::string, Json> access;
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    access.clear();
    for (const std::string& line : LogLines(server_)) {
      auto parsed = fhir::ParseJson(line);
      ASSERT_TRUE(parsed.ok()) << "not a JSON line: " << line;
      ASSERT_TRUE(parsed->Find("timestamp") != nullptr && parsed->Find("level") != nullptr &&
                  parsed->Find("message") != nullptr)
          << line;
      const Json* id = parsed->Find("request_id");
      if (parsed->Find("message")->string_value() == "http request" && id != nullptr) {
        access.emplace(id->string_value(), *parsed);
      }
    }
    if (access.count("it-trace-0042") && access.count(made_id)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(access.count("it-trace-0042"), 1u) << server_.log();
  const Json& line = access.at("it-trace-0042");
  EXPECT_EQ(line.Find("method")->string_value(), "GET");
  EXPECT_EQ(line.Find("route")->string_value(), "/fhir/metadata");
  EXPECT_EQ(fhir::WriteJson(*line.Find("status")), "200");
  EXPECT_NE(line.Find("duration_ms"), nullptr);
  ASSERT_EQ(access.count(made_id), 1u) << server_.log();
  EXPECT_EQ(access.at(made_id).Find("route")->string_value(), "/fhir/{type}");
  EXPECT_EQ(server_.log().find("PT-SECRET-9"), std::string::npos) << "query strings are not logged";
}

TEST(SyncMetricsTest, RunsAndOutboxSizesOfTheConfiguredJobs) {
  TestServerOptions options = JsonLogs();
  auto extra = fhir::ParseJson(R"({
    "endpoints": [{"name": "nowhere", "base_url": "https://127.0.0.1:)" +
                               std::to_string(PickFreePort()) + R"(/fhir",
                   "organization_npi": "1620193841", "timeout_seconds": 2,
                   "auth": {"method": "none"}}],
    "jobs": [{"name": "push-nowhere", "kind": "push_care_plans", "endpoint": "nowhere",
              "every": "1d"}]
  })");
  ASSERT_TRUE(extra.ok()) << extra.status().ToString();
  for (const auto& [name, value] : extra->members()) options.extra_config.Set(name, value);
  TestServer server(options);
  ASSERT_TRUE(server.Start().ok()) << server.log();
  // The job is due at start; its run is counted whatever its outcome.
  Scrape scrape = ScrapeUntil(
      server,
      [](const Scrape& s) {
        return s.Value(R"(duet_sync_runs_total{job="push-nowhere",outcome="ok"})") +
                   s.Value(R"(duet_sync_runs_total{job="push-nowhere",outcome="partial"})") +
                   s.Value(R"(duet_sync_runs_total{job="push-nowhere",outcome="failed"})") >=
               1;
      },
      std::chrono::seconds(60));
  EXPECT_EQ(scrape.Value(R"(duet_sync_runs_total{job="push-nowhere",outcome="ok"})") +
                scrape.Value(R"(duet_sync_runs_total{job="push-nowhere",outcome="partial"})") +
                scrape.Value(R"(duet_sync_runs_total{job="push-nowhere",outcome="failed"})"),
            1)
      << server.log();
  EXPECT_TRUE(scrape.Has(R"(duet_sync_items_total{job="push-nowhere",outcome="sent"})"));
  EXPECT_TRUE(scrape.Has(R"(duet_sync_dead_letters{job="push-nowhere"})"));
  EXPECT_EQ(scrape.Value(R"(duet_sync_dead_letters{job="push-nowhere"})", -1), 0);
  EXPECT_TRUE(scrape.Has(R"(duet_sync_outbox_pending{job="push-nowhere"})"));
  EXPECT_EQ(scrape.types["duet_sync_dead_letters"], "gauge");
}

// Sends a PUT whose body arrives in two parts: the first at once, the rest when Release() is
// called; the request is in flight at the server in between.
class SlowUpload {
 public:
  SlowUpload(const std::string& url, std::string body) : body_(std::move(body)) {
    thread_ = std::thread([this, url] { Run(url); });
  }
  ~SlowUpload() {
    Release();
    if (thread_.joinable()) thread_.join();
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  // The status once the answer came (0 when it failed), with curl's error.
  std::pair<long, std::string> Finish() {
    if (thread_.joinable()) thread_.join();
    return {status_, error_};
  }

 private:
  static size_t Read(char* buffer, size_t size, size_t count, void* user) {
    auto* self = static_cast<SlowUpload*>(user);
    size_t half = self->body_.size() / 2;
    if (self->sent_ >= half) {
      std::unique_lock<std::mutex> lock(self->mutex_);
      self->changed_.wait(lock, [self] { return self->released_; });
    }
    size_t limit = self->sent_ < half ? half : self->body_.size();
    size_t n = std::min(size * count, limit - self->sent_);
    std::memcpy(buffer, self->body_.data() + self->sent_, n);
    self->sent_ += n;
    return n;
  }
  static size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

  void Run(const std::string& url) {
    CURL* curl = curl_easy_init();
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/fhir+json");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);  // PUT
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &SlowUpload::Read);
    curl_easy_setopt(curl, CURLOPT_READDATA, this);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &SlowUpload::Discard);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_CAINFO, (TestCertsDir() + "/ca.pem").c_str());
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    CURLcode code = curl_easy_perform(curl);
    if (code == CURLE_OK) {
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status_);
    } else {
      error_ = curl_easy_strerror(code);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
  }

  std::string body_;
  size_t sent_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool released_ = false;
  long status_ = 0;
  std::string error_;
  std::thread thread_;
};

TEST(GracefulShutdownTest, SigtermLetsAnInFlightRequestFinishAndExitsZero) {
  TestServer server(JsonLogs());
  ASSERT_TRUE(server.Start().ok()) << server.log();
  const std::string patient =
      R"({"resourceType":"Patient","id":"in-flight-1","active":true,"name":[{"family":"Ashby",)"
      R"("given":["Rowan"]}],"birthDate":"1961-04-12"})";
  // An update that creates: 201 when it went through.
  SlowUpload upload(server.base_url() + "/fhir/Patient/in-flight-1", patient);
  // The upload's headers have arrived once the server counts two requests in flight (it and the
  // scrape that asks).
  Scrape scrape = ScrapeUntil(
      server, [](const Scrape& s) { return s.Value("duet_http_requests_in_flight") >= 2; });
  ASSERT_GE(scrape.Value("duet_http_requests_in_flight"), 2) << server.log();

  server.Terminate();
  HttpsResponse draining = PollFor(server, "/readyz", 503);
  EXPECT_EQ(draining.status, 503) << draining.body;

  upload.Release();
  auto [status, error] = upload.Finish();
  EXPECT_EQ(status, 201) << error << "\n" << server.log();
  EXPECT_EQ(server.Stop(), 0) << server.log();
  std::string log = server.log();
  EXPECT_NE(log.find("received SIGTERM; stopping"), std::string::npos) << log;
  EXPECT_EQ(log.find("still running after"), std::string::npos) << log;

  // What the in-flight request wrote is there after a restart.
  ASSERT_TRUE(server.Start().ok()) << server.log();
  EXPECT_EQ(server.Client().Get("/fhir/Patient/in-flight-1").status, 200);
}

}  // namespace
}  // namespace duet::test
