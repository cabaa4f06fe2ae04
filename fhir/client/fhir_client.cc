#include "fhir/client/fhir_client.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <utility>

#include "fhir/client/curl_http_transport.h"
#include "fhir/client/http_error.h"
#include "fhir/primitives.h"

namespace duet::fhir {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kFhirJson = "application/fhir+json";

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool IsAbsoluteUrl(std::string_view url) {
  return StartsWith(url, "https://") || StartsWith(url, "http://");
}

// "https://host:port" of an absolute URL.
std::string_view Origin(std::string_view url) {
  size_t authority = url.find("://");
  if (authority == std::string_view::npos) return {};
  size_t end = url.find_first_of("/?#", authority + 3);
  return url.substr(0, end);
}

// Percent-encodes the characters RFC 3986 allows nowhere in a URL ('|', space, '"', ...), which
// FHIR token searches are full of; leaves the URL's structure ('/', '?', '&', '=', '%') alone.
std::string EncodeDisallowedUrlCharacters(std::string_view url) {
  static constexpr std::string_view kAllowed = "-._~:/?#[]@!$&'()*+,;=%";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  encoded.reserve(url.size());
  for (char c : url) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || kAllowed.find(c) != std::string_view::npos) {
      encoded += c;
    } else {
      encoded += '%';
      encoded += kHex[byte >> 4];
      encoded += kHex[byte & 0xF];
    }
  }
  return encoded;
}

bool IsSafeHeaderText(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

Status CheckHeaders(const HttpHeaders& headers) {
  for (const auto& [name, value] : headers) {
    if (name.empty() || !IsSafeHeaderText(name) || !IsSafeHeaderText(value) ||
        name.find(':') != std::string::npos) {
      return InvalidArgumentError("header '" + name + "' has a character HTTP does not allow");
    }
  }
  return Status::Ok();
}

bool IsIdempotentMethod(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

bool IsIdempotentEntry(const Json& entry) {
  const Json* request = entry.Find("request");
  if (request == nullptr) return false;
  std::string_view method = request->StringOr("method");
  if (method == "POST") return !request->StringOr("ifNoneExist").empty();
  return IsIdempotentMethod(method);
}

// True when posting the transaction twice has the effect of posting it once.
bool IsIdempotentTransaction(const Json& bundle) {
  const Json* entries = bundle.Find("entry");
  if (entries == nullptr || !entries->is_array()) return true;
  return std::all_of(entries->items().begin(), entries->items().end(), IsIdempotentEntry);
}

bool ShouldRetry(const HttpExchange& exchange, bool idempotent) {
  if (exchange.has_response()) {
    return IsRetryableHttpStatus(exchange.status) && (idempotent || exchange.status == 429);
  }
  switch (exchange.failure) {
    case TransportFailure::kNotSent: return true;
    case TransportFailure::kTimedOut:
    case TransportFailure::kConnectionLost: return idempotent;
    default: return false;
  }
}

StatusCode StatusCodeForTransportFailure(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::kTimedOut: return StatusCode::kDeadlineExceeded;
    case TransportFailure::kResponseTooLarge: return StatusCode::kPayloadTooLarge;
    case TransportFailure::kOther: return StatusCode::kInternal;
    default: return StatusCode::kUnavailable;
  }
}

std::string AttemptsNote(int attempts) {
  return attempts > 1 ? " (after " + std::to_string(attempts) + " attempts)" : "";
}

Status CheckResourceName(std::string_view type, std::string_view id) {
  bool type_ok = !type.empty() && std::all_of(type.begin(), type.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
  });
  if (!type_ok) return InvalidArgumentError("not a resource type: '" + std::string(type) + "'");
  if (auto problem = CheckIdText(id)) {
    return InvalidArgumentError("not a resource id: '" + std::string(id) + "': " + *problem);
  }
  return Status::Ok();
}

StatusOr<Json> ParseResponseJson(std::string_view method, const FhirResponse& response) {
  StatusOr<Json> parsed = ParseJson(response.body);
  if (!parsed.ok()) {
    return InternalError(std::string(method) + " " + response.url +
                         ": the answer is not JSON: " + parsed.status().message());
  }
  return parsed;
}

void AppendEntryResources(Json& bundle, std::vector<Json>& resources) {
  Json* entries = bundle.Find("entry");
  if (entries == nullptr || !entries->is_array()) return;
  for (Json& entry : entries->items()) {
    const Json* search = entry.Find("search");
    if (search != nullptr && search->StringOr("mode") == "outcome") continue;
    if (Json* resource = entry.Find("resource")) resources.push_back(std::move(*resource));
  }
}

}  // namespace

const std::string* FhirResponse::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

std::string FhirResponse::ETag() const {
  const std::string* etag = Header("ETag");
  return etag != nullptr ? *etag : "";
}

std::string WeakETag(std::string_view version_id) {
  return "W/\"" + std::string(version_id) + "\"";
}

class FhirClient::Impl {
 public:
  Impl(FhirClientOptions options, std::unique_ptr<HttpTransport> transport)
      : options_(std::move(options)),
        transport_(std::move(transport)),
        random_(std::random_device{}()) {}

  const std::string& base_url() const { return options_.base_url; }

  StatusOr<FhirResponse> Send(const FhirRequest& request) {
    DUET_ASSIGN_OR_RETURN(std::string url, ResolveUrl(request.path));
    DUET_RETURN_IF_ERROR(CheckHeaders(request.headers));
    bool idempotent = request.idempotent.value_or(IsIdempotentMethod(request.method));
    Clock::time_point deadline = Clock::now() + options_.total_deadline;
    bool refresh_authorization = false;
    bool authorization_refreshed = false;
    int attempts = 0;
    HttpExchange exchange;
    while (true) {
      auto remaining = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (remaining <= milliseconds(0)) break;
      DUET_ASSIGN_OR_RETURN(HttpHeaders headers, BuildHeaders(request, url, refresh_authorization));
      refresh_authorization = false;
      exchange = transport_->Perform({request.method, url, std::move(headers), request.body,
                                      std::min(options_.timeout, remaining),
                                      request.capture_peer_certificate});
      ++attempts;
      if (exchange.has_response() && exchange.status == 401 && options_.authorization &&
          !authorization_refreshed) {
        authorization_refreshed = refresh_authorization = true;
        continue;
      }
      if (attempts >= options_.retry.max_attempts || !ShouldRetry(exchange, idempotent)) break;
      milliseconds wait = WaitBeforeRetry(exchange, attempts - 1);
      if (Clock::now() + wait >= deadline) break;
      Sleep(wait);
    }
    return Outcome(request.method, url, std::move(exchange), attempts);
  }

 private:
  StatusOr<std::string> ResolveUrl(std::string_view path) const {
    if (IsAbsoluteUrl(path)) {
      if (Origin(path) != Origin(options_.base_url)) {
        return InvalidArgumentError("refusing to call " + std::string(Origin(path)) +
                                    ": not the server of " + options_.base_url);
      }
      return EncodeDisallowedUrlCharacters(path);
    }
    while (StartsWith(path, "/")) path.remove_prefix(1);
    if (path.empty()) return options_.base_url;
    return options_.base_url + "/" + EncodeDisallowedUrlCharacters(path);
  }

  StatusOr<HttpHeaders> BuildHeaders(const FhirRequest& request, const std::string& url,
                                     bool refresh_authorization) const {
    HttpHeaders headers;
    auto add_default = [&](std::string name, std::string value) {
      if (FindHeader(request.headers, name) == nullptr) {
        headers.emplace_back(std::move(name), std::move(value));
      }
    };
    add_default("Accept", std::string(kFhirJson));
    if (!request.body.empty())
      add_default("Content-Type", std::string(kFhirJson) + "; charset=utf-8");
    if (options_.authorization) {
      StatusOr<std::string> authorization = options_.authorization(refresh_authorization);
      if (!authorization.ok()) {
        return authorization.status().WithContext("authorizing " + request.method + " " + url);
      }
      if (!IsSafeHeaderText(*authorization)) {
        return InvalidArgumentError("the authorization provider gave an invalid header value");
      }
      add_default("Authorization", *std::move(authorization));
    }
    headers.insert(headers.end(), request.headers.begin(), request.headers.end());
    return headers;
  }

  milliseconds WaitBeforeRetry(const HttpExchange& exchange, int retry) {
    milliseconds wait = BackoffDelay(options_.retry, retry, UnitRandom());
    const std::string* retry_after =
        exchange.has_response() ? FindHeader(exchange.headers, "Retry-After") : nullptr;
    if (retry_after != nullptr) {
      auto asked = ParseRetryAfter(*retry_after, std::chrono::system_clock::now());
      if (asked) wait = std::max(wait, *asked);
    }
    return wait;
  }

  double UnitRandom() {
    std::lock_guard<std::mutex> lock(random_mutex_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  }

  void Sleep(milliseconds wait) const {
    if (options_.sleep) {
      options_.sleep(wait);
    } else {
      std::this_thread::sleep_for(wait);
    }
  }

  static StatusOr<FhirResponse> Outcome(const std::string& method, std::string url,
                                        HttpExchange exchange, int attempts) {
    if (attempts == 0) {
      return Status(StatusCode::kDeadlineExceeded, method + " " + url + ": no time left to try");
    }
    if (!exchange.has_response()) {
      return Status(StatusCodeForTransportFailure(exchange.failure),
                    method + " " + url + ": " + exchange.error + AttemptsNote(attempts));
    }
    FhirResponse response;
    response.status = exchange.status;
    response.body = std::move(exchange.body);
    response.headers = std::move(exchange.headers);
    response.attempts = attempts;
    response.url = std::move(url);
    response.peer_certificate = std::move(exchange.peer_certificate);
    return response;
  }

  FhirClientOptions options_;
  std::unique_ptr<HttpTransport> transport_;
  std::mutex random_mutex_;
  std::mt19937_64 random_;
};

namespace {

Status CheckOptions(FhirClientOptions& options) {
  while (!options.base_url.empty() && options.base_url.back() == '/') options.base_url.pop_back();
  if (!IsAbsoluteUrl(options.base_url) || Origin(options.base_url).size() <= 8) {
    return InvalidArgumentError("base_url must be an http(s) URL: '" + options.base_url + "'");
  }
  if (options.timeout <= milliseconds(0) || options.total_deadline <= milliseconds(0)) {
    return InvalidArgumentError("timeout and total_deadline must be positive");
  }
  if (options.retry.max_attempts < 1)
    return InvalidArgumentError("retry.max_attempts must be >= 1");
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<FhirClient>> FhirClient::Create(FhirClientOptions options) {
  DUET_RETURN_IF_ERROR(CheckOptions(options));
  DUET_ASSIGN_OR_RETURN(
      std::unique_ptr<CurlHttpTransport> transport,
      CurlHttpTransport::Create({options.ca_file, options.client_certificate, options.client_key,
                                 options.user_agent, options.max_response_bytes}));
  return Create(std::move(options), std::move(transport));
}

StatusOr<std::unique_ptr<FhirClient>> FhirClient::Create(FhirClientOptions options,
                                                         std::unique_ptr<HttpTransport> transport) {
  DUET_RETURN_IF_ERROR(CheckOptions(options));
  if (transport == nullptr) return InvalidArgumentError("no HTTP transport");
  return std::unique_ptr<FhirClient>(
      new FhirClient(std::make_unique<Impl>(std::move(options), std::move(transport))));
}

FhirClient::FhirClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FhirClient::~FhirClient() = default;

const std::string& FhirClient::base_url() const { return impl_->base_url(); }

StatusOr<FhirResponse> FhirClient::Send(const FhirRequest& request) { return impl_->Send(request); }

StatusOr<FhirResponse> FhirClient::Send(std::string_view method, std::string_view path,
                                        std::string_view body, const HttpHeaders& headers) {
  return impl_->Send(
      {std::string(method), std::string(path), std::string(body), headers, std::nullopt});
}

namespace {

// Send, with a non-2xx answer turned into its Status.
StatusOr<FhirResponse> SendExpectingSuccess(FhirClient& client, const FhirRequest& request) {
  DUET_ASSIGN_OR_RETURN(FhirResponse response, client.Send(request));
  DUET_RETURN_IF_ERROR(HttpErrorStatus(request.method, response));
  return response;
}

StatusOr<Json> SendExpectingJson(FhirClient& client, const FhirRequest& request) {
  DUET_ASSIGN_OR_RETURN(FhirResponse response, SendExpectingSuccess(client, request));
  return ParseResponseJson(request.method, response);
}

FhirRequest Get(std::string path) { return {"GET", std::move(path), "", {}, std::nullopt}; }

}  // namespace

StatusOr<Json> FhirClient::Capabilities() { return SendExpectingJson(*this, Get("metadata")); }

StatusOr<Json> FhirClient::Read(std::string_view type, std::string_view id) {
  DUET_RETURN_IF_ERROR(CheckResourceName(type, id));
  return SendExpectingJson(*this, Get(std::string(type) + "/" + std::string(id)));
}

StatusOr<SearchResult> FhirClient::SearchAll(std::string_view type_and_query, int max_pages) {
  SearchResult result;
  std::set<std::string> visited;
  std::string next(type_and_query);
  while (!next.empty()) {
    if (result.pages >= max_pages) {
      result.truncated = true;
      break;
    }
    if (!visited.insert(next).second) {
      return InternalError("search " + std::string(type_and_query) + ": next link " + next +
                           " was already read (the server's paging loops)");
    }
    DUET_ASSIGN_OR_RETURN(Json page, SendExpectingJson(*this, Get(next)));
    if (page.StringOr("resourceType") != "Bundle") {
      return InternalError("search " + next + ": the answer is not a Bundle");
    }
    ++result.pages;
    AppendEntryResources(page, result.resources);
    next = NextLink(page);
  }
  return result;
}

StatusOr<FhirResponse> FhirClient::ConditionalCreate(std::string_view type, const Json& resource,
                                                     std::string_view if_none_exist) {
  return SendExpectingSuccess(*this, {"POST",
                                      std::string(type),
                                      WriteJson(resource),
                                      {{"If-None-Exist", std::string(if_none_exist)}},
                                      true});
}

StatusOr<FhirResponse> FhirClient::ConditionalUpdate(std::string_view type_and_query,
                                                     const Json& resource) {
  return SendExpectingSuccess(
      *this, {"PUT", std::string(type_and_query), WriteJson(resource), {}, std::nullopt});
}

StatusOr<FhirResponse> FhirClient::Update(std::string_view type, std::string_view id,
                                          const Json& resource,
                                          const std::optional<std::string>& if_match_etag) {
  DUET_RETURN_IF_ERROR(CheckResourceName(type, id));
  HttpHeaders headers;
  if (if_match_etag) headers.emplace_back("If-Match", *if_match_etag);
  return SendExpectingSuccess(*this, {"PUT", std::string(type) + "/" + std::string(id),
                                      WriteJson(resource), std::move(headers), std::nullopt});
}

StatusOr<Json> FhirClient::Transaction(const Json& bundle) {
  return SendExpectingJson(*this,
                           {"POST", "", WriteJson(bundle), {}, IsIdempotentTransaction(bundle)});
}

std::string NextLink(const Json& bundle) {
  const Json* links = bundle.Find("link");
  if (links == nullptr || !links->is_array()) return "";
  for (const Json& link : links->items()) {
    if (link.StringOr("relation") == "next") return std::string(link.StringOr("url"));
  }
  return "";
}

}  // namespace duet::fhir
