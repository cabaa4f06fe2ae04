// The HTTP-stack ceiling for benchmarks: a bare cpprestsdk HTTPS listener with the gateway's TLS
// settings and thread count, answering every request with a fixed body of the given size. The
// FHIR read benchmark is compared with what this serves (wrk, keep-alive).
//
//   bare_tls_listener --cert server.pem --key server.key --port 9443 --threads 8 --body-bytes 1300
#include <cpprest/http_listener.h>
#include <pplx/threadpool.h>
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "gateway/server/shutdown_signals.h"
#include "gateway/tls/tls_settings.h"

namespace {

namespace http = web::http;

// A JSON-looking body of exactly `size` bytes.
std::string FixedBody(size_t size) {
  std::string body = "{\"resourceType\":\"Basic\",\"text\":\"";
  const std::string tail = "\"}";
  if (size < body.size() + tail.size()) return std::string(size, 'x');
  body.append(size - body.size() - tail.size(), 'x');
  return body + tail;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Bare cpprestsdk TLS listener (benchmark baseline)"};
  std::string cert;
  std::string key;
  std::string host = "127.0.0.1";
  int port = 9443;
  size_t threads = 16;
  size_t body_bytes = 1300;
  app.add_option("--cert", cert, "Server certificate chain (PEM)")->required();
  app.add_option("--key", key, "Server private key (PEM)")->required();
  app.add_option("--host", host, "Address to bind");
  app.add_option("--port", port, "Port")->check(CLI::Range(1, 65535));
  app.add_option("--threads", threads, "Thread pool size (like listen.threads)");
  app.add_option("--body-bytes", body_bytes, "Size of the fixed response body");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  duet::gateway::ShutdownSignals signals;
  auto tls = duet::gateway::TlsSettings::Load({cert, key, ""});
  if (!tls.ok()) {
    std::cerr << tls.status().message() << "\n";
    return 1;
  }
  crossplat::threadpool::initialize_with_threads(threads);

  http::experimental::listener::http_listener_config config;
  std::shared_ptr<const duet::gateway::TlsSettings> settings = *tls;
  config.set_ssl_context_callback([settings](boost::asio::ssl::context& context) {
    duet::Status applied = settings->ApplyTo(context.native_handle());
    if (!applied.ok()) throw std::runtime_error(applied.message());
  });
  const std::string url = "https://" + host + ":" + std::to_string(port);
  http::experimental::listener::http_listener listener(web::uri(url + "/"), config);
  const std::string body = FixedBody(body_bytes);
  listener.support([&body](const http::http_request& request) {
    http::http_response response(http::status_codes::OK);
    response.set_body(std::string(body), "application/fhir+json");
    request.reply(response).then([](pplx::task<void> sent) {
      try {
        sent.wait();
      } catch (const std::exception&) {
        // The client went away; nothing to do in a benchmark.
      }
    });
  });
  try {
    listener.open().wait();
  } catch (const std::exception& e) {
    std::cerr << "cannot listen on " << url << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << "bare TLS listener on " << url << " (" << threads << " threads, " << body_bytes
            << "-byte body)\n";
  signals.Wait();
  listener.close().wait();
  return 0;
}
