#include "tests/support/scripted_https_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "tests/support/https_client.h"

namespace duet::test {
namespace {

using fhir::EqualsIgnoreCase;
using fhir::FindHeader;

constexpr size_t kMaxHeadBytes = 64 * 1024;

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

std::string OpenSslErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

// A whole-string number in `base`, or nullopt.
std::optional<size_t> ParseSize(std::string_view text, int base) {
  size_t value = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value, base);
  if (error != std::errc() || stop != end) return std::nullopt;
  return value;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

// Reads HTTP/1.1 requests from one TLS connection, keeping bytes that belong to the next one.
class RequestReader {
 public:
  explicit RequestReader(SSL* ssl) : ssl_(ssl) {}

  // The next request, or nullopt at end of stream, on an error or on a malformed request.
  std::optional<ScriptedRequest> Next() {
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (buffer_.size() > kMaxHeadBytes || !ReadMore()) return std::nullopt;
    }
    ScriptedRequest request;
    if (!ParseHead(std::string_view(buffer_).substr(0, head_end), request)) return std::nullopt;
    buffer_.erase(0, head_end + 4);
    const std::string* chunked = request.Header("Transfer-Encoding");
    bool ok = chunked != nullptr && EqualsIgnoreCase(*chunked, "chunked")
                  ? ReadChunkedBody(request.body)
                  : ReadSizedBody(request);
    if (!ok) return std::nullopt;
    return request;
  }

 private:
  bool ReadMore() {
    char chunk[16384];
    int n = SSL_read(ssl_, chunk, sizeof(chunk));
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  bool Ensure(size_t bytes) {
    while (buffer_.size() < bytes) {
      if (!ReadMore()) return false;
    }
    return true;
  }

  // The next CRLF-terminated line, removed from the buffer.
  std::optional<std::string> TakeLine() {
    size_t end;
    while ((end = buffer_.find("\r\n")) == std::string::npos) {
      if (buffer_.size() > kMaxHeadBytes || !ReadMore()) return std::nullopt;
    }
    std::string line = buffer_.substr(0, end);
    buffer_.erase(0, end + 2);
    return line;
  }

  static bool ParseHead(std::string_view head, ScriptedRequest& request) {
    size_t line_end = head.find("\r\n");
    std::string_view request_line = head.substr(0, line_end);
    size_t first_space = request_line.find(' ');
    size_t second_space = request_line.rfind(' ');
    if (first_space == std::string_view::npos || second_space <= first_space) return false;
    request.method = std::string(request_line.substr(0, first_space));
    request.target =
        std::string(request_line.substr(first_space + 1, second_space - first_space - 1));
    while (line_end != std::string_view::npos) {
      size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      std::string_view line = head.substr(start, line_end - start);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) return false;
      request.headers.emplace_back(Trim(line.substr(0, colon)), Trim(line.substr(colon + 1)));
    }
    return true;
  }

  bool ReadSizedBody(ScriptedRequest& request) {
    const std::string* length_text = request.Header("Content-Length");
    std::optional<size_t> length = length_text != nullptr ? ParseSize(*length_text, 10) : 0;
    if (!length || !Ensure(*length)) return false;
    request.body = buffer_.substr(0, *length);
    buffer_.erase(0, *length);
    return true;
  }

  bool ReadChunkedBody(std::string& body) {
    while (true) {
      std::optional<std::string> size_line = TakeLine();
      if (!size_line) return false;
      std::optional<size_t> size =
          ParseSize(std::string_view(*size_line).substr(0, size_line->find(';')), 16);
      if (!size) return false;
      if (*size == 0) break;
      if (!Ensure(*size + 2)) return false;
      body.append(buffer_, 0, *size);
      buffer_.erase(0, *size + 2);
    }
    while (true) {  // trailers, up to the empty line
      std::optional<std::string> line = TakeLine();
      if (!line) return false;
      if (line->empty()) return true;
    }
  }

  SSL* ssl_;
  std::string buffer_;
};

std::string SerializeResponse(const ScriptedResponse& response, bool close) {
  std::string text =
      "HTTP/1.1 " + std::to_string(response.status) + " " + ReasonPhrase(response.status) + "\r\n";
  for (const auto& [name, value] : response.headers) text += name + ": " + value + "\r\n";
  bool bodiless = response.status == 204 || response.status == 304;
  if (!bodiless && FindHeader(response.headers, "Content-Length") == nullptr) {
    text += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  }
  if (close) text += "Connection: close\r\n";
  text += "\r\n";
  if (!bodiless) text += response.body;
  return text;
}

bool WriteAll(SSL* ssl, std::string_view data) {
  while (!data.empty()) {
    int n = SSL_write(ssl, data.data(), static_cast<int>(data.size()));
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool ClientAsksToClose(const ScriptedRequest& request) {
  const std::string* connection = request.Header("Connection");
  return connection != nullptr && EqualsIgnoreCase(*connection, "close");
}

std::string InCertsDir(const std::string& path, const char* default_name) {
  return path.empty() ? TestCertsDir() + "/" + default_name : path;
}

}  // namespace

const std::string* ScriptedRequest::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

std::string ScriptedRequest::path() const { return target.substr(0, target.find('?')); }

ScriptedResponse ScriptedResponse::Fhir(int status, std::string body, ScriptedHeaders headers) {
  ScriptedResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  response.headers.emplace_back("Content-Type", "application/fhir+json; charset=utf-8");
  return response;
}

ScriptedResponse ScriptedResponse::Drop() {
  ScriptedResponse response;
  response.drop_connection = true;
  return response;
}

ScriptedHandler Sequence(std::vector<ScriptedResponse> responses) {
  struct State {
    std::mutex mutex;
    std::vector<ScriptedResponse> responses;
    size_t next = 0;
  };
  auto state = std::make_shared<State>();
  state->responses = std::move(responses);
  return [state](const ScriptedRequest&) {
    std::lock_guard<std::mutex> lock(state->mutex);
    if (state->responses.empty()) return ScriptedResponse::Fhir(500, "{}");
    size_t index = std::min(state->next++, state->responses.size() - 1);
    return state->responses[index];
  };
}

struct ScriptedHttpsServer::Tls {
  SSL_CTX* context = nullptr;
  ~Tls() {
    if (context != nullptr) SSL_CTX_free(context);
  }
};

ScriptedHttpsServer::ScriptedHttpsServer(ScriptedHandler handler,
                                         ScriptedHttpsServerOptions options)
    : options_(std::move(options)), tls_(std::make_unique<Tls>()), handler_(std::move(handler)) {
  options_.certificate = InCertsDir(options_.certificate, "server.pem");
  options_.private_key = InCertsDir(options_.private_key, "server.key");
  options_.client_ca_file = InCertsDir(options_.client_ca_file, "ca.pem");
}

ScriptedHttpsServer::~ScriptedHttpsServer() { Stop(); }

Status ScriptedHttpsServer::Start() {
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not kill the test process
  tls_->context = SSL_CTX_new(TLS_server_method());
  SSL_CTX* context = tls_->context;
  if (context == nullptr ||
      SSL_CTX_use_certificate_chain_file(context, options_.certificate.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(context, options_.private_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(context) != 1) {
    return InternalError("scripted server: loading " + options_.certificate + ": " +
                         OpenSslErrors());
  }
  if (options_.require_client_certificate) {
    if (SSL_CTX_load_verify_locations(context, options_.client_ca_file.c_str(), nullptr) != 1) {
      return InternalError("scripted server: loading " + options_.client_ca_file + ": " +
                           OpenSslErrors());
    }
    SSL_CTX_set_client_CA_list(context, SSL_load_client_CA_file(options_.client_ca_file.c_str()));
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    static constexpr unsigned char kSessionContext[] = "scripted";
    SSL_CTX_set_session_id_context(context, kSessionContext, sizeof kSessionContext - 1);
  }

  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      listen(listen_fd_, 64) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      pipe2(wake_pipe_, O_CLOEXEC) != 0) {
    return InternalError(std::string("scripted server: cannot listen: ") + std::strerror(errno));
  }
  port_ = ntohs(address.sin_port);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
  return Status::Ok();
}

void ScriptedHttpsServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (wake_pipe_[1] >= 0) {
    char byte = 1;
    (void)!write(wake_pipe_[1], &byte, 1);
  }
  if (accept_thread_.joinable()) accept_thread_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    stop_signal_.notify_all();
    threads.swap(connection_threads_);
  }
  for (std::thread& thread : threads) thread.join();
  for (int fd : {listen_fd_, wake_pipe_[0], wake_pipe_[1]}) {
    if (fd >= 0) close(fd);
  }
  listen_fd_ = wake_pipe_[0] = wake_pipe_[1] = -1;
}

std::string ScriptedHttpsServer::base_url() const {
  return "https://127.0.0.1:" + std::to_string(port_);
}

void ScriptedHttpsServer::set_handler(ScriptedHandler handler) {
  std::lock_guard<std::mutex> lock(mutex_);
  handler_ = std::move(handler);
}

std::vector<ScriptedRequest> ScriptedHttpsServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

size_t ScriptedHttpsServer::request_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_.size();
}

void ScriptedHttpsServer::AcceptLoop() {
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (stopping_ || (fds[1].revents & POLLIN) != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int connection = ++connections_accepted_;
    std::lock_guard<std::mutex> lock(mutex_);
    open_fds_.insert(fd);
    connection_threads_.emplace_back([this, fd, connection] { ServeConnection(fd, connection); });
  }
}

void ScriptedHttpsServer::ServeConnection(int fd, int connection) {
  SSL* ssl = SSL_new(tls_->context);
  SSL_set_fd(ssl, fd);
  bool clean_close = false;
  if (SSL_accept(ssl) != 1) {
    ++failed_handshakes_;
    ERR_clear_error();
  } else {
    RequestReader reader(ssl);
    while (!stopping_) {
      std::optional<ScriptedRequest> request = reader.Next();
      if (!request) break;
      request->connection = connection;
      ScriptedResponse response = Answer(*request);
      if (!WaitUnlessStopped(response.delay) || response.drop_connection) break;
      bool close_after = response.close_connection || ClientAsksToClose(*request);
      if (!WriteAll(ssl, SerializeResponse(response, close_after))) break;
      if (close_after) {
        clean_close = true;
        break;
      }
    }
  }
  if (clean_close) SSL_shutdown(ssl);
  SSL_free(ssl);
  ERR_clear_error();
  ForgetConnection(fd);
}

ScriptedResponse ScriptedHttpsServer::Answer(const ScriptedRequest& request) {
  ScriptedHandler handler;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(request);
    handler = handler_;
  }
  return handler ? handler(request) : ScriptedResponse::Fhir(500, "{}");
}

bool ScriptedHttpsServer::WaitUnlessStopped(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (delay.count() > 0) stop_signal_.wait_for(lock, delay, [this] { return stopping_.load(); });
  return !stopping_;
}

void ScriptedHttpsServer::ForgetConnection(int fd) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    open_fds_.erase(fd);
  }
  close(fd);
}

}  // namespace duet::test
