// HttpServer: serves one HttpHandler over HTTPS. The interface the composition root starts and
// stops; cpprest_http_server.h is today's implementation.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "fhir/status.h"
#include "gateway/http/request_observer.h"
#include "gateway/tls/tls_settings.h"

namespace duet::gateway {

struct HttpServerOptions {
  std::string host = "localhost";  // name or address to bind; "0.0.0.0" or "::" for all
  int port = 8443;
  size_t threads = 8;                               // worker threads for connections and handlers
  size_t max_body_bytes = size_t{4} * 1024 * 1024;  // larger request bodies get 413
  size_t max_header_bytes = size_t{64} * 1024;      // larger request line + headers get 431
  // A connection with no traffic either way for this long is closed (keep-alive, never-used,
  // a stalled TLS handshake).
  std::chrono::milliseconds idle_timeout{60000};
  // A request must have arrived whole and its answer begun this long after its first byte, or
  // the connection is closed (slow headers or bodies).
  std::chrono::milliseconds request_timeout{60000};
  std::shared_ptr<const TlsSettings> tls;     // required
  std::shared_ptr<RequestObserver> observer;  // optional: told about every request
};

// Start and Stop are called from one controlling thread (not from a handler).
class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // Binds and starts accepting; an error names the address and the reason.
  virtual Status Start() = 0;
  // Stops accepting, lets in-flight requests finish (bounded wait), closes connections.
  // Idempotent.
  virtual void Stop() = 0;
};

}  // namespace duet::gateway
