#include "tests/support/https_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>

namespace duet::test {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

long MinVersionFlag(TlsVersion version) {
  switch (version) {
    case TlsVersion::k1_0: return CURL_SSLVERSION_TLSv1_0;
    case TlsVersion::k1_1: return CURL_SSLVERSION_TLSv1_1;
    case TlsVersion::k1_2: return CURL_SSLVERSION_TLSv1_2;
    case TlsVersion::k1_3: return CURL_SSLVERSION_TLSv1_3;
    case TlsVersion::kAny: break;
  }
  return CURL_SSLVERSION_DEFAULT;
}

long MaxVersionFlag(TlsVersion version) {
  switch (version) {
    case TlsVersion::k1_0: return CURL_SSLVERSION_MAX_TLSv1_0;
    case TlsVersion::k1_1: return CURL_SSLVERSION_MAX_TLSv1_1;
    case TlsVersion::k1_2: return CURL_SSLVERSION_MAX_TLSv1_2;
    case TlsVersion::k1_3: return CURL_SSLVERSION_MAX_TLSv1_3;
    case TlsVersion::kAny: break;
  }
  return CURL_SSLVERSION_MAX_DEFAULT;
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t CollectHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (after 100 Continue) starts over
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    headers->emplace_back(Trim(line.substr(0, colon)), Trim(line.substr(colon + 1)));
  }
  return size * count;
}

// Feeds a string to curl for uploads of unknown length (chunked).
struct Upload {
  const std::string* body;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t n = std::min(size * count, upload->body->size() - upload->offset);
  std::copy_n(upload->body->data() + upload->offset, n, buffer);
  upload->offset += n;
  return n;
}

}  // namespace

const std::string* HttpsResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

std::string TestCertsDir() { return DUET_TEST_CERTS_DIR; }

struct HttpsClient::Curl {
  CURL* handle = nullptr;
  ~Curl() {
    if (handle != nullptr) curl_easy_cleanup(handle);
  }
};

HttpsClient::HttpsClient(std::string base_url, HttpsClientOptions options)
    : base_url_(std::move(base_url)),
      options_(std::move(options)),
      curl_(std::make_unique<Curl>()) {
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (options_.ca_file.empty()) options_.ca_file = TestCertsDir() + "/ca.pem";
  curl_->handle = curl_easy_init();
}

HttpsClient::~HttpsClient() = default;
HttpsClient::HttpsClient(HttpsClient&&) noexcept = default;
HttpsClient& HttpsClient::operator=(HttpsClient&&) noexcept = default;

HttpsResponse HttpsClient::Get(const std::string& path, const HeaderList& headers) {
  return Send("GET", path, "", headers);
}
HttpsResponse HttpsClient::Delete(const std::string& path, const HeaderList& headers) {
  return Send("DELETE", path, "", headers);
}
HttpsResponse HttpsClient::Post(const std::string& path, const std::string& body,
                                const HeaderList& headers) {
  return Send("POST", path, body, headers);
}
HttpsResponse HttpsClient::Put(const std::string& path, const std::string& body,
                               const HeaderList& headers) {
  return Send("PUT", path, body, headers);
}
HttpsResponse HttpsClient::Patch(const std::string& path, const std::string& body,
                                 const HeaderList& headers) {
  return Send("PATCH", path, body, headers);
}

HttpsResponse HttpsClient::Send(const std::string& method, const std::string& path,
                                const std::string& body, const HeaderList& headers, bool chunked) {
  HttpsResponse response;
  CURL* curl = curl_->handle;
  if (curl == nullptr) {
    response.error = "curl_easy_init failed";
    return response;
  }
  curl_easy_reset(curl);  // keeps the connection cache, clears the previous request's options
  std::string url = base_url_ + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_SSLVERSION,
                   MinVersionFlag(options_.min_tls) | MaxVersionFlag(options_.max_tls));
  if (!options_.ciphers.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSL_CIPHER_LIST, options_.ciphers.c_str());
  }
  if (!options_.client_certificate.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, options_.client_certificate.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEY, options_.client_key.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  std::array<char, CURL_ERROR_SIZE> error_text{};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text.data());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);

  Upload upload{&body};
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (chunked) {
      curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
      curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    } else if (!body.empty() || method != "DELETE") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
  }

  curl_slist* header_list = curl_slist_append(nullptr, "Expect:");
  if (chunked) header_list = curl_slist_append(header_list, "Transfer-Encoding: chunked");
  for (const auto& [name, value] : headers) {
    std::string line = name + ": " + value;
    header_list = curl_slist_append(header_list, line.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);

  CURLcode result = curl_easy_perform(curl);
  curl_slist_free_all(header_list);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (result != CURLE_OK) {
    response.error = error_text[0] != '\0' ? error_text.data() : curl_easy_strerror(result);
    response.error += " (curl code " + std::to_string(static_cast<int>(result)) + ")";
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &response.new_connections);
  return response;
}

HttpsClientOptions MutualTlsClientOptions() {
  HttpsClientOptions options;
  options.client_certificate = TestCertsDir() + "/client.pem";
  options.client_key = TestCertsDir() + "/client.key";
  return options;
}

std::string MutualTlsEndpointTlsJson() {
  const std::string certs = TestCertsDir();
  return R"({"ca_file": ")" + certs + R"(/ca.pem", "client_certificate": ")" + certs +
         R"(/client.pem", "client_key": ")" + certs + R"(/client.key"})";
}

}  // namespace duet::test
