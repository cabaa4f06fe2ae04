#include "gateway/http/cpprest_http_server.h"

#include <cpprest/http_listener.h>
#include <pplx/threadpool.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include "fhir/json.h"
#include "gateway/http/connection_watchdog.h"
#include "gateway/http/request_id.h"
#include "gateway/telemetry/log_fields.h"

namespace duet::gateway {
namespace {

namespace http = web::http;
using http::experimental::listener::http_listener;
using http::experimental::listener::http_listener_config;

constexpr size_t kBodyReadStep = 64 * 1024;
// Past the body cap, at most this much more is read (and discarded) before dropping the
// connection instead.
constexpr size_t kMaxDrainBytes = 16 * 1024 * 1024;
constexpr auto kDrainTimeout = std::chrono::seconds(10);

// Percent-decodes a URL path; unlike query strings, '+' stays a '+'.
std::string DecodePath(const std::string& encoded) {
  std::string out;
  out.reserve(encoded.size());
  size_t start = 0;
  while (start < encoded.size()) {
    size_t plus = encoded.find('+', start);
    if (plus == std::string::npos) plus = encoded.size();
    out += PercentDecode(std::string_view(encoded).substr(start, plus - start));
    if (plus < encoded.size()) out += '+';
    start = plus + 1;
  }
  return out;
}

// A Host header we are willing to echo into URLs: a name, IPv4 or bracketed IPv6, and a port.
bool IsPlausibleHost(const std::string& host) {
  if (host.empty() || host.size() > 255) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']';
  });
}

std::string Authority(const std::string& host, int port) {
  bool ipv6_literal = host.find(':') != std::string::npos && host.front() != '[';
  return (ipv6_literal ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The size of the request line and headers as sent (near enough: separators counted once).
size_t HeaderBytes(const http::http_request& request) {
  size_t total = request.method().size() + request.relative_uri().to_string().size() + 12;
  for (const auto& [name, value] : request.headers()) total += name.size() + value.size() + 4;
  return total;
}

// Observes a task's outcome so that an exception in it is not reported as unobserved (which
// terminates the process in pplx).
template <typename T>
void Observe(pplx::task<T> task, const char* what) {
  task.then([what](pplx::task<T> done) {
    try {
      done.wait();
    } catch (const std::exception& e) {
      spdlog::debug("http: {} failed: {}", what, e.what());
    } catch (...) {
      spdlog::debug("http: {} failed", what);
    }
  });
}

enum class BodyOutcome {
  kComplete,           // the whole body is in memory
  kTooLarge,           // past the cap; the rest was read and discarded, the connection is reusable
  kTooLargeUndrained,  // past the cap and past kMaxDrainBytes: the connection must be dropped
};

// Reads a request body into memory up to `cap` bytes. Past the cap it keeps reading but
// discards, up to kMaxDrainBytes in all, so that the 413 reaches a client that is still sending
// (closing on it would reset the connection and lose the answer).
class BodyReader : public std::enable_shared_from_this<BodyReader> {
 public:
  BodyReader(concurrency::streams::streambuf<uint8_t> source, size_t cap, size_t expected)
      : source_(std::move(source)), cap_(cap), expected_(expected) {
    data_.reserve(std::min(expected, cap));
  }

  pplx::task<BodyOutcome> ReadAll() {
    if (data_.size() > cap_) return Drain();
    size_t old_size = data_.size();
    size_t room = cap_ + 1 - old_size;  // one byte past the cap proves it was exceeded
    size_t wanted = expected_ > old_size ? expected_ - old_size : size_t{0};
    size_t step = std::min(room, std::max(kBodyReadStep, wanted));
    data_.resize(old_size + step);
    auto self = shared_from_this();
    auto* target = reinterpret_cast<uint8_t*>(data_.data() + old_size);
    return source_.getn(target, step).then([self, old_size](size_t read) {
      self->data_.resize(old_size + read);
      self->total_ += read;
      if (read == 0) return pplx::task_from_result(BodyOutcome::kComplete);
      return self->ReadAll();
    });
  }

  std::string TakeData() { return std::move(data_); }

 private:
  pplx::task<BodyOutcome> Drain() {
    if (total_ > kMaxDrainBytes) return pplx::task_from_result(BodyOutcome::kTooLargeUndrained);
    if (scratch_.empty()) scratch_.resize(kBodyReadStep);
    auto self = shared_from_this();
    return source_.getn(scratch_.data(), scratch_.size()).then([self](size_t read) {
      self->total_ += read;
      if (read == 0) return pplx::task_from_result(BodyOutcome::kTooLarge);
      return self->Drain();
    });
  }

  concurrency::streams::streambuf<uint8_t> source_;
  size_t cap_;
  size_t expected_;
  size_t total_ = 0;
  std::string data_;
  std::vector<uint8_t> scratch_;
};

// One request from its arrival to its answer: its id, when it came, and what was answered. Shared
// by the continuations that serve it; the last one to let go ends it (RequestObserver::OnFinished,
// and the in-flight count).
struct Exchange {
  std::string request_id;
  std::chrono::steady_clock::time_point started;
  std::string method;
  std::string path;
  int status = 0;
  size_t response_bytes = 0;
};

}  // namespace

class CpprestHttpServer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(HttpServerOptions options, std::shared_ptr<HttpHandler> handler)
      : options_(std::move(options)), handler_(std::move(handler)) {}

  Status Start();
  void Stop();
  std::string url() const { return "https://" + Authority(options_.host, options_.port); }

 private:
  // Counts a request in; false once stopping.
  bool Enter();
  void Leave();
  void OnRequest(const http::http_request& request);
  // The exchange for a request that just arrived; `counted` when Enter() took it in.
  std::shared_ptr<Exchange> BeginExchange(const http::http_request& request, bool counted);
  void Dispatch(const http::http_request& request, std::string body,
                std::shared_ptr<Exchange> in_flight);
  HttpRequest Convert(const http::http_request& request, std::string body) const;
  void Reply(const http::http_request& request, const HttpResponse& response,
             std::shared_ptr<Exchange> in_flight, bool close_connection = false);
  void RejectTooLarge(const http::http_request& request, std::shared_ptr<Exchange> in_flight,
                      bool drop_connection);
  // A failure response in the format of the handler that serves the request's path.
  HttpResponse Error(const http::http_request& request, int status,
                     const std::string& message) const;

  HttpServerOptions options_;
  std::shared_ptr<HttpHandler> handler_;
  std::unique_ptr<http_listener> listener_;
  std::unique_ptr<ConnectionWatchdog> watchdog_;

  std::mutex mutex_;
  std::condition_variable drained_;
  size_t in_flight_ = 0;
  bool accepting_ = false;
};

Status CpprestHttpServer::Impl::Start() {
  if (options_.tls == nullptr) return InvalidArgumentError("http: no TLS settings given");
  if (handler_ == nullptr) return InvalidArgumentError("http: no handler given");
  if (listener_ != nullptr) return FailedPreconditionError("http: server already started");
  const std::string address = Authority(options_.host, options_.port);
  if (options_.host.empty()) return InvalidArgumentError("listen.host: empty");

  CpprestHttpServer::InitializeThreadPool(options_.threads);

  http_listener_config config;
  std::shared_ptr<const TlsSettings> tls = options_.tls;
  config.set_ssl_context_callback([tls](boost::asio::ssl::context& context) {
    Status applied = tls->ApplyTo(context.native_handle());
    if (!applied.ok()) {
      // Throwing boost's error makes the listener drop just this connection.
      spdlog::error("{}", applied.message());
      throw boost::system::system_error(
          boost::system::errc::make_error_code(boost::system::errc::protocol_error),
          applied.message());
    }
  });

  try {
    web::uri uri(url() + "/");
    listener_ = std::make_unique<http_listener>(uri, config);
  } catch (const std::exception& e) {
    return InvalidArgumentError("listen.host: cannot listen on " + address + ": " + e.what());
  }
  std::weak_ptr<Impl> weak_self = weak_from_this();
  listener_->support([weak_self](const http::http_request& request) {
    if (auto self = weak_self.lock()) {
      self->OnRequest(request);
    } else {
      Observe(request.reply(http::status_codes::ServiceUnavailable), "reply");
    }
  });
  {
    std::lock_guard<std::mutex> lock(mutex_);
    accepting_ = true;
  }
  try {
    listener_->open().wait();
  } catch (const std::exception& e) {
    listener_.reset();
    std::lock_guard<std::mutex> lock(mutex_);
    accepting_ = false;
    return UnavailableError("cannot listen on " + address + ": " + e.what());
  }
  ConnectionLimits limits;
  limits.idle_timeout = options_.idle_timeout;
  limits.request_timeout = options_.request_timeout;
  limits.max_request_bytes = options_.max_header_bytes + options_.max_body_bytes + kMaxDrainBytes;
  watchdog_ = std::make_unique<ConnectionWatchdog>(options_.port, limits);
  watchdog_->Start();
  return Status::Ok();
}

void CpprestHttpServer::Impl::Stop() {
  if (listener_ == nullptr) return;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    accepting_ = false;
    if (!drained_.wait_for(lock, kDrainTimeout, [this] { return in_flight_ == 0; })) {
      spdlog::warn("http: {} request(s) still running after {}s; closing anyway", in_flight_,
                   kDrainTimeout.count());
    }
  }
  if (watchdog_ != nullptr) watchdog_->Stop();
  try {
    listener_->close().wait();
  } catch (const std::exception& e) {
    spdlog::warn("http: closing the listener: {}", e.what());
  }
  listener_.reset();
}

bool CpprestHttpServer::Impl::Enter() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!accepting_) return false;
  ++in_flight_;
  return true;
}

void CpprestHttpServer::Impl::Leave() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (--in_flight_ == 0) drained_.notify_all();
}

std::shared_ptr<Exchange> CpprestHttpServer::Impl::BeginExchange(const http::http_request& request,
                                                                 bool counted) {
  auto* exchange = new Exchange;
  exchange->started = std::chrono::steady_clock::now();
  const http::http_headers& headers = request.headers();
  auto incoming = headers.find(kRequestIdHeader);
  exchange->request_id =
      AcceptOrMakeRequestId(incoming != headers.end() ? &incoming->second : nullptr);
  exchange->method = request.method();
  if (options_.observer) options_.observer->OnStarted();
  auto self = shared_from_this();
  return std::shared_ptr<Exchange>(exchange, [self, counted](Exchange* done) {
    if (self->options_.observer) {
      FinishedRequest finished;
      finished.request_id = done->request_id;
      finished.method = done->method;
      finished.path = done->path;
      finished.status = done->status;
      finished.response_bytes = done->response_bytes;
      finished.duration = std::chrono::steady_clock::now() - done->started;
      self->options_.observer->OnFinished(finished);
    }
    delete done;
    if (counted) self->Leave();
  });
}

void CpprestHttpServer::Impl::OnRequest(const http::http_request& request) {
  if (!Enter()) {
    HttpResponse busy = Error(request, 503, "server is shutting down");
    Reply(request, busy, BeginExchange(request, /*counted=*/false), /*close_connection=*/true);
    return;
  }
  auto self = shared_from_this();
  std::shared_ptr<Exchange> in_flight = BeginExchange(request, /*counted=*/true);
  try {
    const http::http_headers& headers = request.headers();
    if (HeaderBytes(request) > options_.max_header_bytes) {
      Reply(request,
            Error(request, 431,
                  "request line and headers larger than " +
                      std::to_string(options_.max_header_bytes) + " bytes"),
            std::move(in_flight), /*close_connection=*/true);
      return;
    }
    size_t declared = 0;
    bool has_length = headers.has(http::header_names::content_length);
    if (has_length) declared = static_cast<size_t>(headers.content_length());
    if (has_length && declared > options_.max_body_bytes + kMaxDrainBytes) {
      RejectTooLarge(request, std::move(in_flight), /*drop_connection=*/true);
      return;
    }
    if (declared == 0 && !headers.has(http::header_names::transfer_encoding)) {
      // No body (most reads): answer at once, without a round trip through the body stream.
      Dispatch(request, std::string(), std::move(in_flight));
      return;
    }
    auto reader =
        std::make_shared<BodyReader>(request.body().streambuf(), options_.max_body_bytes, declared);
    reader->ReadAll().then([self, request, reader, in_flight](pplx::task<BodyOutcome> done) {
      BodyOutcome outcome = BodyOutcome::kComplete;
      try {
        outcome = done.get();
      } catch (const std::exception& e) {
        spdlog::debug("http: reading the request body failed: {}", e.what());
        self->Reply(request, self->Error(request, 400, "the request body could not be read"),
                    in_flight,
                    /*close_connection=*/true);
        return;
      }
      if (outcome != BodyOutcome::kComplete) {
        self->RejectTooLarge(request, in_flight, outcome == BodyOutcome::kTooLargeUndrained);
        return;
      }
      self->Dispatch(request, reader->TakeData(), std::move(in_flight));
    });
  } catch (const std::exception& e) {
    spdlog::error("http: {} {}: {}", request.method(), request.request_uri().path(), e.what());
    Reply(request, Error(request, 500, "internal server error"), std::move(in_flight));
  }
}

void CpprestHttpServer::Impl::Dispatch(const http::http_request& request, std::string body,
                                       std::shared_ptr<Exchange> in_flight) {
  ScopedLogFields fields({LogField::String("request_id", in_flight->request_id)});
  HttpResponse response;
  try {
    HttpRequest converted = Convert(request, std::move(body));
    converted.request_id = in_flight->request_id;
    response = handler_->Handle(converted);
  } catch (const std::exception& e) {
    spdlog::error("http: handler threw on {} {}: {}", request.method(),
                  request.request_uri().path(), e.what());
    response = Error(request, 500, "internal server error");
  } catch (...) {
    spdlog::error("http: handler threw on {} {}", request.method(), request.request_uri().path());
    response = Error(request, 500, "internal server error");
  }
  Reply(request, response, std::move(in_flight));
}

HttpResponse CpprestHttpServer::Impl::Error(const http::http_request& request, int status,
                                            const std::string& message) const {
  return handler_->Failure(status, DecodePath(request.request_uri().path()), message);
}

HttpRequest CpprestHttpServer::Impl::Convert(const http::http_request& request,
                                             std::string body) const {
  HttpRequest converted;
  const web::uri& uri = request.request_uri();
  converted.method = request.method();
  converted.path = DecodePath(uri.path());
  converted.raw_query = uri.query();
  converted.query = ParseQueryString(converted.raw_query);
  for (const auto& [name, value] : request.headers()) converted.headers.Add(name, value);
  converted.body = std::move(body);
  converted.remote_address = request.remote_address();
  const std::string* host = converted.headers.Find("Host");
  converted.base_url =
      "https://" +
      (host != nullptr && IsPlausibleHost(*host) ? *host : Authority(options_.host, options_.port));
  return converted;
}

void CpprestHttpServer::Impl::Reply(const http::http_request& request, const HttpResponse& response,
                                    std::shared_ptr<Exchange> in_flight, bool close_connection) {
  if (in_flight == nullptr) in_flight = BeginExchange(request, /*counted=*/false);
  in_flight->status = response.status;
  in_flight->response_bytes = response.body.size();
  try {
    in_flight->path = DecodePath(request.request_uri().path());
    http::http_response native(static_cast<http::status_code>(response.status));
    std::string content_type;
    for (const auto& [name, value] : response.headers.all()) {
      if (EqualsIgnoreCase(name, "Content-Type")) {
        content_type = value;
      } else if (!EqualsIgnoreCase(name, "Content-Length")) {
        native.headers().add(name, value);
      }
    }
    native.headers()[kRequestIdHeader] = in_flight->request_id;
    if (close_connection) native.headers()[http::header_names::connection] = "close";
    // cpprestsdk cannot announce a length without sending a body, so HEAD answers carry neither;
    // they do name the type the GET would have.
    bool head = request.method() == http::methods::HEAD;
    if (head && !content_type.empty()) {
      native.headers()[http::header_names::content_type] = content_type;
    }
    if (!head && (!response.body.empty() || !content_type.empty())) {
      // A byte stream: cpprestsdk's std::string overload casts between stream types of
      // different character types, which UBSan rightly reports.
      std::vector<uint8_t> bytes(response.body.begin(), response.body.end());
      size_t length = bytes.size();
      native.set_body(concurrency::streams::bytestream::open_istream(std::move(bytes)), length,
                      content_type.empty() ? "application/octet-stream" : content_type);
    }
    request.reply(native).then([in_flight](pplx::task<void> sent) {
      try {
        sent.wait();
      } catch (const std::exception& e) {
        spdlog::debug("http: sending the response failed: {}", e.what());
      }
    });
  } catch (const std::exception& e) {
    spdlog::error("http: cannot send the response: {}", e.what());
    try {
      Observe(request.reply(http::status_codes::InternalError), "reply");
    } catch (const std::exception&) {
      // Already answered or the connection is gone: nothing more to do.
    }
  }
}

void CpprestHttpServer::Impl::RejectTooLarge(const http::http_request& request,
                                             std::shared_ptr<Exchange> in_flight,
                                             bool drop_connection) {
  if (drop_connection) {
    // Closing the body buffer with an error makes the listener stop reading the upload, and
    // "Connection: close" drops the connection once the 413 is written.
    auto body = request.body().streambuf();
    Observe(
        body.close(std::ios_base::out,
                   std::make_exception_ptr(std::length_error("request body exceeds the limit"))),
        "closing the request body");
  }
  Reply(request,
        Error(request, 413,
              "request body larger than " + std::to_string(options_.max_body_bytes) + " bytes"),
        std::move(in_flight), drop_connection);
}

CpprestHttpServer::CpprestHttpServer(HttpServerOptions options,
                                     std::shared_ptr<HttpHandler> handler)
    : impl_(std::make_shared<Impl>(std::move(options), std::move(handler))) {}

CpprestHttpServer::~CpprestHttpServer() { Stop(); }

Status CpprestHttpServer::Start() { return impl_->Start(); }
void CpprestHttpServer::Stop() { impl_->Stop(); }
std::string CpprestHttpServer::url() const { return impl_->url(); }

bool CpprestHttpServer::InitializeThreadPool(size_t threads) {
  static std::once_flag once;
  static bool initialized = false;
  std::call_once(once, [threads] {
    try {
      crossplat::threadpool::initialize_with_threads(std::max<size_t>(threads, 1));
      initialized = true;
    } catch (const std::exception& e) {
      spdlog::warn("http: thread pool already running; keeping its size ({})", e.what());
    }
  });
  return initialized;
}

}  // namespace duet::gateway
