#include "fhir/client/curl_http_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

namespace duet::fhir {
namespace {

Status CheckReadable(const std::string& path, const char* what) {
  if (path.empty()) return Status::Ok();
  std::ifstream file(path);
  if (!file) return InvalidArgumentError(std::string("cannot read the ") + what + " " + path);
  return Status::Ok();
}

TransportFailure ClassifyCurlError(CURLcode code) {
  switch (code) {
    case CURLE_OK: return TransportFailure::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR: return TransportFailure::kNotSent;
    case CURLE_OPERATION_TIMEDOUT: return TransportFailure::kTimedOut;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING: return TransportFailure::kConnectionLost;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS: return TransportFailure::kTlsRejected;
    case CURLE_FILESIZE_EXCEEDED: return TransportFailure::kResponseTooLarge;
    default: return TransportFailure::kOther;
  }
}

std::string_view TrimSpaces(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

// Where libcurl delivers one exchange's response.
struct ResponseSink {
  HttpExchange* exchange;
  size_t max_body_bytes;
  bool body_too_large = false;
};

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<ResponseSink*>(user);
  size_t bytes = size * count;
  if (sink->exchange->body.size() + bytes > sink->max_body_bytes) {
    sink->body_too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  sink->exchange->body.append(data, bytes);
  return bytes;
}

size_t CollectHeader(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<ResponseSink*>(user);
  std::string_view line(data, size * count);
  HttpHeaders& headers = sink->exchange->headers;
  if (line.rfind("HTTP/", 0) == 0) {
    headers.clear();  // a new response (after 100 Continue) starts over
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    headers.emplace_back(TrimSpaces(line.substr(0, colon)), TrimSpaces(line.substr(colon + 1)));
  }
  return size * count;
}

curl_slist* BuildHeaderList(const HttpHeaders& headers) {
  curl_slist* list = curl_slist_append(nullptr, "Expect:");
  for (const auto& [name, value] : headers) {
    std::string line = name;
    line.append(": ").append(value);
    list = curl_slist_append(list, line.c_str());
  }
  return list;
}

void SetMethodAndBody(CURL* curl, const HttpRequest& request, const std::string& method) {
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (!request.body.empty() || method != "DELETE") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
  }
}

// The leaf certificate of the chain libcurl collected (CURLOPT_CERTINFO), if any.
std::optional<PeerCertificate> LeafCertificate(CURL* curl) {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr ||
      info->num_of_certs < 1) {
    return std::nullopt;
  }
  PeerCertificate certificate;
  for (curl_slist* field = info->certinfo[0]; field != nullptr; field = field->next) {
    std::string_view line(field->data);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    std::string_view value = TrimSpaces(line.substr(colon + 1));
    if (name == "Subject") certificate.subject = value;
    if (name == "Issuer") certificate.issuer = value;
    if (name == "Expire date") certificate.not_after = ParseCertificateTime(value);
  }
  return certificate;
}

}  // namespace

int64_t ParseCertificateTime(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::string copy(text);
  std::array<char, 4> month_name{};
  std::tm tm{};
  int year = 0;
  // Fractional seconds, when present, end at the space before the year.
  if (std::sscanf(copy.c_str(), "%3s %d %d:%d:%d%*[^ ] %d", month_name.data(), &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &year) != 6 &&
      std::sscanf(copy.c_str(), "%3s %d %d:%d:%d %d", month_name.data(), &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &year) != 6) {
    return 0;
  }
  const auto* month = std::find(kMonths.begin(), kMonths.end(), month_name.data());
  if (month == kMonths.end()) return 0;
  tm.tm_mon = static_cast<int>(month - kMonths.begin());
  tm.tm_year = year - 1900;
  return static_cast<int64_t>(timegm(&tm));
}

// Easy handles are pooled, last in first out: each keeps its own live connections, so a handle
// taken again reuses them. The connection cache itself is not shared between handles: libcurl's
// shared connection cache is not thread-safe (known bug 11.11, libcurl 7.88 included).
struct CurlHttpTransport::Handles {
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;
  std::mutex pool_mutex;
  std::vector<CURL*> idle;

  ~Handles() {
    for (CURL* curl : idle) curl_easy_cleanup(curl);
    if (share != nullptr) curl_share_cleanup(share);
  }

  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Handles*>(user)->share_locks.at(data).lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Handles*>(user)->share_locks.at(data).unlock();
  }

  bool InitShare() {
    share = curl_share_init();
    if (share == nullptr) return false;
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, &Handles::Lock);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, &Handles::Unlock);
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    return true;
  }

  CURL* Acquire() {
    {
      std::lock_guard<std::mutex> lock(pool_mutex);
      if (!idle.empty()) {
        CURL* curl = idle.back();
        idle.pop_back();
        return curl;
      }
    }
    return curl_easy_init();
  }

  void Release(CURL* curl) {
    std::lock_guard<std::mutex> lock(pool_mutex);
    idle.push_back(curl);
  }
};

StatusOr<std::unique_ptr<CurlHttpTransport>> CurlHttpTransport::Create(
    CurlHttpTransportOptions options) {
  DUET_RETURN_IF_ERROR(CheckReadable(options.ca_file, "CA bundle"));
  DUET_RETURN_IF_ERROR(CheckReadable(options.client_certificate, "client certificate"));
  DUET_RETURN_IF_ERROR(CheckReadable(options.client_key, "client key"));
  if (options.client_certificate.empty() != options.client_key.empty()) {
    return InvalidArgumentError("a client certificate needs its key, and a key its certificate");
  }
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto handles = std::make_unique<Handles>();
  if (!handles->InitShare()) return InternalError("curl_share_init failed");
  return std::unique_ptr<CurlHttpTransport>(
      new CurlHttpTransport(std::move(options), std::move(handles)));
}

CurlHttpTransport::CurlHttpTransport(CurlHttpTransportOptions options,
                                     std::unique_ptr<Handles> handles)
    : options_(std::move(options)), handles_(std::move(handles)) {}

CurlHttpTransport::~CurlHttpTransport() = default;

HttpExchange CurlHttpTransport::Perform(const HttpRequest& request) {
  HttpExchange exchange;
  CURL* curl = handles_->Acquire();
  if (curl == nullptr) {
    exchange.failure = TransportFailure::kOther;
    exchange.error = "curl_easy_init failed";
    return exchange;
  }
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_SHARE, handles_->share);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.client_certificate.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, options_.client_certificate.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEY, options_.client_key.c_str());
  }
  if (!options_.user_agent.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  }
  if (request.capture_peer_certificate) {
    curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
    curl_easy_setopt(curl, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_SESSIONID_CACHE, 0L);  // a resumed session has no chain
  }
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(options_.max_response_bytes));

  ResponseSink sink{&exchange, options_.max_response_bytes};
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);
  std::array<char, CURL_ERROR_SIZE> error_text{};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text.data());

  std::string method(request.method);
  SetMethodAndBody(curl, request, method);
  curl_slist* header_list = BuildHeaderList(request.headers);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);

  CURLcode result = curl_easy_perform(curl);

  curl_slist_free_all(header_list);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  long connects = 0;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
  exchange.new_connection = connects > 0;
  if (result == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    exchange.status = static_cast<int>(status);
    if (request.capture_peer_certificate) exchange.peer_certificate = LeafCertificate(curl);
  } else {
    exchange.failure =
        sink.body_too_large ? TransportFailure::kResponseTooLarge : ClassifyCurlError(result);
    exchange.error = error_text[0] != '\0' ? error_text.data() : curl_easy_strerror(result);
    exchange.error += " (curl code " + std::to_string(static_cast<int>(result)) + ")";
    exchange.headers.clear();
    exchange.body.clear();
  }
  handles_->Release(curl);
  return exchange;
}

}  // namespace duet::fhir
