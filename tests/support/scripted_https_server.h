// ScriptedHttpsServer: a small HTTPS/1.1 server for tests of outbound clients, answering from a
// script.
//
// Binds 127.0.0.1 on a port the kernel picks (port(), base_url()), serves TLS with the test
// certificates (optionally requiring a client certificate), keeps connections alive, and hands
// every request to a handler that says what to answer: status, headers, body, a delay before
// answering, or dropping the connection without an answer. It records every request with the
// number of the connection it came on, and counts accepted connections and failed handshakes,
// so tests can check retries, headers sent and connection reuse.
//
// Threads: one accepts, one more per connection; the handler runs on connection threads, possibly
// several at once, so it must be thread-safe (Sequence() is). Every accessor is thread-safe.
// Stop() (or the destructor) interrupts delays, closes every connection and joins every thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "fhir/client/http_headers.h"
#include "fhir/status.h"

namespace duet::test {

using ScriptedHeaders = fhir::HttpHeaders;

struct ScriptedRequest {
  std::string method;
  std::string target;  // as sent: "/fhir/CarePlan?status=active"
  ScriptedHeaders headers;
  std::string body;    // de-chunked
  int connection = 0;  // 1 for the first connection the server accepted, 2 for the next, ...

  // First header of that name (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
  std::string path() const;  // target without the query
};

struct ScriptedResponse {
  int status = 200;
  ScriptedHeaders headers;  // Content-Length is added unless given
  std::string body;
  std::chrono::milliseconds delay{0};  // wait before answering (or dropping)
  bool drop_connection = false;        // close the connection instead of answering
  bool close_connection = false;       // answer with Connection: close, then close

  // A FHIR JSON answer (Content-Type: application/fhir+json).
  static ScriptedResponse Fhir(int status, std::string body, ScriptedHeaders headers = {});
  static ScriptedResponse Drop();
};

using ScriptedHandler = std::function<ScriptedResponse(const ScriptedRequest&)>;

// Answers with `responses` in order, one per request, then repeats the last one.
ScriptedHandler Sequence(std::vector<ScriptedResponse> responses);

struct ScriptedHttpsServerOptions {
  std::string certificate;  // PEM chain; "" = the test server certificate (server.pem)
  std::string private_key;  // "" = server.key
  bool require_client_certificate = false;
  std::string client_ca_file;  // trusted for client certificates; "" = the test CA (ca.pem)
};

class ScriptedHttpsServer {
 public:
  explicit ScriptedHttpsServer(ScriptedHandler handler, ScriptedHttpsServerOptions options = {});
  ~ScriptedHttpsServer();
  ScriptedHttpsServer(const ScriptedHttpsServer&) = delete;
  ScriptedHttpsServer& operator=(const ScriptedHttpsServer&) = delete;

  // Loads the certificates, binds, listens and starts accepting.
  Status Start();
  void Stop();

  int port() const { return port_; }
  std::string base_url() const;  // "https://127.0.0.1:PORT"

  void set_handler(ScriptedHandler handler);
  std::vector<ScriptedRequest> requests() const;
  size_t request_count() const;
  int connections_accepted() const { return connections_accepted_; }
  int failed_handshakes() const { return failed_handshakes_; }

 private:
  struct Tls;
  void AcceptLoop();
  void ServeConnection(int fd, int connection);
  // Records the request and asks the handler what to answer.
  ScriptedResponse Answer(const ScriptedRequest& request);
  // Sleeps up to `delay`; false when Stop() came first.
  bool WaitUnlessStopped(std::chrono::milliseconds delay);
  void ForgetConnection(int fd);

  ScriptedHttpsServerOptions options_;
  std::unique_ptr<Tls> tls_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_accepted_{0};
  std::atomic<int> failed_handshakes_{0};
  std::thread accept_thread_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable stop_signal_;
  ScriptedHandler handler_;
  std::vector<ScriptedRequest> requests_;
  std::set<int> open_fds_;
  std::vector<std::thread> connection_threads_;
};

}  // namespace duet::test
