// CpprestHttpServer: the HttpServer on cpprestsdk's HTTPS listener (Boost.Asio build).
//
// It converts each request to the gateway's HttpRequest, calls the HttpHandler and writes the
// HttpResponse back. Bodies are capped: at most max_body_bytes are buffered, and the handler is
// not called for a larger body, which gets 413. The excess of a moderately oversized upload is
// read and discarded so that the client (still sending) receives the 413; a Content-Length or
// chunked upload more than 16 MiB past the cap makes the server stop reading, answer 413 and drop
// the connection.
// Work runs on cpprestsdk's process-wide thread pool, sized once (the first Start() wins); the
// body is read with continuations, never by blocking a pool thread. Any exception from the
// handler or the library becomes a 500 with a JSON body. TLS comes from TlsSettings, prepared
// once and only applied per connection. Every request gets an id (request_id.h), passed to the
// handler, scoped as the log field "request_id" while it runs and sent back in X-Request-Id; the
// optional RequestObserver hears of each request's arrival and of its end. Stop() refuses new
// requests with 503 and waits (bounded) for those in flight.
//
// Owns the listener; shares the handler, which must be safe to call from many threads at once.
// Start/Stop are called from one controlling thread, never from inside a handler.
#pragma once

#include <memory>
#include <string>

#include "gateway/http/http_server.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

class CpprestHttpServer final : public HttpServer {
 public:
  CpprestHttpServer(HttpServerOptions options, std::shared_ptr<HttpHandler> handler);
  ~CpprestHttpServer() override;  // Stop()s
  CpprestHttpServer(const CpprestHttpServer&) = delete;
  CpprestHttpServer& operator=(const CpprestHttpServer&) = delete;

  Status Start() override;
  void Stop() override;

  // "https://localhost:8443" ("https://[::1]:8443" for an IPv6 literal).
  std::string url() const;

  // Sizes cpprestsdk's process-wide thread pool. Only the first call in a process takes effect,
  // and only if the library has not started its pool yet; returns whether that first call did.
  static bool InitializeThreadPool(size_t threads);

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;  // shared with request continuations that may outlive a Stop()
};

}  // namespace duet::gateway
