// HttpsClient: a small HTTPS client for tests, on libcurl (the product's own FHIR client lives in
// fhir/). Keeps one connection alive between requests to the same server, trusts the dev CA, and
// can pin the TLS version range or cipher list to probe the listener's TLS policy.
// One instance per thread; not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::test {

enum class TlsVersion { kAny, k1_0, k1_1, k1_2, k1_3 };

struct HttpsClientOptions {
  std::string ca_file;             // "" = the test CA (DUET_TEST_CERTS_DIR/ca.pem)
  std::string client_certificate;  // PEM, for mutual TLS
  std::string client_key;
  TlsVersion min_tls = TlsVersion::kAny;
  TlsVersion max_tls = TlsVersion::kAny;
  // OpenSSL cipher string for TLS <= 1.2, e.g. "AES128-SHA"; "" = library default. To offer
  // TLS 1.0/1.1 at all, OpenSSL 3 needs "DEFAULT:@SECLEVEL=0".
  std::string ciphers;
  long timeout_ms = 30000;
};

struct HttpsResponse {
  long status = 0;    // 0 when the request failed before a response arrived
  std::string error;  // curl's message when it failed, else ""
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  long new_connections = 0;  // connections opened for this request (0 = reused)

  bool ok() const { return error.empty(); }
  // First header of that name (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class HttpsClient {
 public:
  // `base_url` like "https://127.0.0.1:8443"; request paths are appended to it.
  explicit HttpsClient(std::string base_url, HttpsClientOptions options = {});
  ~HttpsClient();
  HttpsClient(HttpsClient&&) noexcept;
  HttpsClient& operator=(HttpsClient&&) noexcept;

  HttpsResponse Get(const std::string& path, const HeaderList& headers = {});
  HttpsResponse Delete(const std::string& path, const HeaderList& headers = {});
  HttpsResponse Post(const std::string& path, const std::string& body,
                     const HeaderList& headers = {});
  HttpsResponse Put(const std::string& path, const std::string& body,
                    const HeaderList& headers = {});
  HttpsResponse Patch(const std::string& path, const std::string& body,
                      const HeaderList& headers = {});
  // Any method; `chunked` sends the body with Transfer-Encoding: chunked.
  HttpsResponse Send(const std::string& method, const std::string& path, const std::string& body,
                     const HeaderList& headers = {}, bool chunked = false);

  const std::string& base_url() const { return base_url_; }

 private:
  std::string base_url_;
  HttpsClientOptions options_;
  struct Curl;
  std::unique_ptr<Curl> curl_;
};

// The directory holding the test CA and certificates made at build time.
std::string TestCertsDir();

// Options that present the test client certificate (for servers that require mutual TLS).
HttpsClientOptions MutualTlsClientOptions();
// The `tls` object of a config `endpoints[]` entry for mutual TLS with the test CA and client
// certificate, as JSON text.
std::string MutualTlsEndpointTlsJson();

}  // namespace duet::test
