// FhirClient: the outbound FHIR R4 REST client that the sync jobs use to talk to one partner's
// FHIR server.
//
// Every call has a deadline (`timeout` per attempt, `total_deadline` for the call, retries
// included). Network failures and 408, 429, 500, 502, 503 and 504 answers are retried with
// jittered exponential backoff that waits at least what Retry-After asks; other 4xx answers are
// not retried, except that a 401 asks the AuthorizationProvider for a fresh token once.
//
// Which requests are retried after they may have reached the server: GET, HEAD, PUT, DELETE and
// OPTIONS, conditional creates (If-None-Exist), and transactions whose entries are all
// idempotent (conditional POSTs, PUTs, DELETEs, GETs). Any other POST or PATCH is retried only
// when it certainly was not processed: the connection could not be opened (nothing was sent) or
// the server answered 429. FhirRequest::idempotent overrides this. Note that a PUT with If-Match
// whose first attempt succeeded but whose answer was lost is answered 412 on the retry; re-read
// and compare, as after any 412.
//
// Errors are values: Send() returns any HTTP answer as a FhirResponse (a Status only when no
// answer came: kUnavailable, kDeadlineExceeded, ...); the typed helpers (Read, SearchAll,
// Update, ...) turn a non-2xx answer into a Status through HttpErrorStatus() (http_error.h).
// Messages name the method, the URL and the HTTP status, never a header value.
//
// One FhirClient per endpoint, created at start and shared: it is thread-safe, and its
// connections (kept alive, TLS sessions resumed) are reused by later calls from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/client/http_transport.h"
#include "fhir/client/retry_policy.h"
#include "fhir/json.h"
#include "fhir/status.h"

namespace duet::fhir {

// Supplies the Authorization header value ("Bearer ..."). Called before each attempt with
// `refresh` false; after a 401 it is called once with `refresh` true so that a token source can
// mint a new token, and the request is tried once more. Called on the thread that makes the call,
// so from several threads at once when the client is shared: it must be thread-safe.
using AuthorizationProvider = std::function<StatusOr<std::string>(bool refresh)>;

struct FhirClientOptions {
  std::string base_url;            // "https://partner.example/fhir" (a trailing '/' is dropped)
  std::string ca_file;             // PEM bundle to trust; "" = system default
  std::string client_certificate;  // PEM file, for mutual TLS; "" = none
  std::string client_key;          // PEM file
  std::chrono::milliseconds timeout{30000};          // one attempt: connect + send + receive
  std::chrono::milliseconds total_deadline{600000};  // the whole call, retries and waits included
  RetryPolicy retry;
  AuthorizationProvider authorization;  // empty = no Authorization header
  std::string user_agent = "duet-fhir-client";
  size_t max_response_bytes = size_t{256} << 20;
  // Waits between attempts (on the calling thread); empty = std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep;
};

struct FhirRequest {
  std::string method = "GET";
  // Relative to the base ("CarePlan?status=active", "metadata", "" for the base itself) or an
  // absolute URL on the base URL's scheme, host and port (next links); other hosts are refused.
  std::string path;
  std::string body;     // sent with Content-Type application/fhir+json unless headers say else
  HttpHeaders headers;  // extra headers; they replace the client's own of the same name
  std::optional<bool> idempotent;  // nullopt = decided by the method (see the class comment)
  // Each attempt on a new connection, with the server's certificate in the response (checks).
  bool capture_peer_certificate = false;
};

struct FhirResponse {
  int status = 0;
  std::string body;
  HttpHeaders headers;
  int attempts = 1;  // attempts made for this answer, the first included
  std::string url;   // the absolute URL that was called
  // The server's certificate, when the request asked for it (FhirRequest).
  std::optional<PeerCertificate> peer_certificate;

  // First header of that name (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
  std::string ETag() const;  // "W/\"3\"", or "" without one
  bool ok() const { return status >= 200 && status < 300; }
};

// Resources found by SearchAll.
struct SearchResult {
  std::vector<Json> resources;  // entry.resource of every page, in order (outcome entries left out)
  int pages = 0;
  bool truncated = false;  // max_pages reached while a next link remained
};

class FhirClient {
 public:
  // Validates the options (base URL, readable certificate files) and prepares the transport.
  static StatusOr<std::unique_ptr<FhirClient>> Create(FhirClientOptions options);
  // The same over another transport (tests, or a different HTTP library).
  static StatusOr<std::unique_ptr<FhirClient>> Create(FhirClientOptions options,
                                                      std::unique_ptr<HttpTransport> transport);
  ~FhirClient();
  FhirClient(const FhirClient&) = delete;
  FhirClient& operator=(const FhirClient&) = delete;

  // One request with retries; see the class comment for what is returned.
  StatusOr<FhirResponse> Send(const FhirRequest& request);
  StatusOr<FhirResponse> Send(std::string_view method, std::string_view path,
                              std::string_view body = "", const HttpHeaders& headers = {});

  // GET [base]/metadata.
  StatusOr<Json> Capabilities();
  // GET [base]/type/id.
  StatusOr<Json> Read(std::string_view type, std::string_view id);
  // GET [base]/type?query, then every Bundle.link[next] until none is left or `max_pages` pages
  // were read. `type_and_query` like "CarePlan?_lastUpdated=gt2024-01-01&_count=100".
  StatusOr<SearchResult> SearchAll(std::string_view type_and_query, int max_pages = 1000);
  // POST [base]/type with If-None-Exist: `if_none_exist` ("identifier=sys|val"): 201 created,
  // 200 when one already matched.
  StatusOr<FhirResponse> ConditionalCreate(std::string_view type, const Json& resource,
                                           std::string_view if_none_exist);
  // PUT [base]/type?query ("CarePlan?identifier=sys|val").
  StatusOr<FhirResponse> ConditionalUpdate(std::string_view type_and_query, const Json& resource);
  // PUT [base]/type/id, with If-Match when `if_match_etag` ("W/\"3\"") is given: a stale version
  // comes back as kFailedPrecondition (412) or kConflict (409, from some servers).
  StatusOr<FhirResponse> Update(std::string_view type, std::string_view id, const Json& resource,
                                const std::optional<std::string>& if_match_etag = std::nullopt);
  // POST [base] with a transaction Bundle; returns the transaction-response Bundle.
  StatusOr<Json> Transaction(const Json& bundle);

  const std::string& base_url() const;

 private:
  class Impl;
  explicit FhirClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The URL of a Bundle's link with relation "next" (a search's next page), or "".
std::string NextLink(const Json& bundle);

// W/"<version_id>", the ETag a server gives version `version_id` (meta.versionId).
std::string WeakETag(std::string_view version_id);

}  // namespace duet::fhir
