// HttpTransport: the one HTTP exchange the FHIR client builds its retries, deadlines and FHIR
// semantics on. CurlHttpTransport (curl_http_transport.h) is the implementation; tests may supply
// their own.
//
// An implementation must be safe to call from several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
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
  // Open a new connection with a full TLS handshake (no session resumed) and report the server's
  // certificate in HttpExchange::peer_certificate (connection checks; slower, so off by default).
  bool capture_peer_certificate = false;
};

// The certificate a TLS server presented (the leaf of its chain), as far as a check reports it.
struct PeerCertificate {
  std::string subject;  // as the TLS library prints it, e.g. "CN = partner.example"
  std::string issuer;
  int64_t not_after = 0;  // expiry, seconds since the epoch (UTC); 0 when it could not be read
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
  // The server's certificate, when the request asked for it and the connection was TLS.
  std::optional<PeerCertificate> peer_certificate;

  bool has_response() const { return failure == TransportFailure::kNone; }
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpExchange Perform(const HttpRequest& request) = 0;
};

}  // namespace duet::fhir
