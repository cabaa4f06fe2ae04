// HttpTransport: the one HTTP exchange the FHIR client builds its retries, deadlines and FHIR
// semantics on. CurlHttpTransport (curl_http_transport.h) is the implementation; tests may supply
// their own.
//
// An implementation must be safe to call from several threads at once.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "fhir/client/http_headers.h"

namespace duet::fhir {

struct HttpRequest {
  std::string_view method;  // "GET", "POST", ...
  std::string url;          // absolute
  HttpHeaders headers;      // sent as given, in order
  std::string_view body;
  std::chrono::milliseconds timeout{30000};  // connect + send + receive
};

// Why an exchange ended without an HTTP response, as far as retrying cares.
enum class TransportFailure {
  kNone,              // a response arrived
  kNotSent,           // name resolution, TCP connect or TLS handshake failed: nothing was sent
  kTimedOut,          // the attempt's timeout struck; the request may have been processed
  kConnectionLost,    // reset or closed mid-exchange; the request may have been processed
  kTlsRejected,       // certificate verification or local TLS material: retrying cannot help
  kResponseTooLarge,  // the body passed the transport's cap
  kOther,             // anything else (bad URL, out of memory, ...)
};

struct HttpExchange {
  TransportFailure failure = TransportFailure::kNone;
  std::string error;  // what went wrong when failure != kNone (never contains header values)
  int status = 0;
  HttpHeaders headers;          // of the final response, in order
  std::string body;             // decoded (gzip and friends undone)
  bool new_connection = false;  // a connection was opened for this exchange

  bool has_response() const { return failure == TransportFailure::kNone; }
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpExchange Perform(const HttpRequest& request) = 0;
};

}  // namespace duet::fhir
