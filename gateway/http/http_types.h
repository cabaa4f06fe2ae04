// The gateway's own HTTP request and response types. Handlers see only these, so they can be
// tested without sockets and the HTTP library (cpprestsdk today) can be replaced. Plain values.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::gateway {

// Header names compare case-insensitively; order and repeats are kept.
class HttpHeaders {
 public:
  void Add(std::string name, std::string value);
  // Replaces every header of that name.
  void Set(std::string name, std::string value);
  // The first value of that name, or nullptr.
  const std::string* Find(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return headers_; }

 private:
  std::vector<std::pair<std::string, std::string>> headers_;
};

struct HttpRequest {
  std::string method;     // "GET", "POST", ...
  std::string path;       // decoded path, no query: "/fhir/CarePlan/123"
  std::string raw_query;  // as sent, without '?'
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  HttpHeaders headers;
  std::string body;
  std::string remote_address;
  std::string base_url;    // "https://localhost:8443": scheme and authority the client used
  std::string request_id;  // X-Request-Id: the caller's when sane, else one the server made
};

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;
};

// Something that answers requests. Implementations say which threads may call them; the server
// calls Handle from its worker threads concurrently.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual HttpResponse Handle(const HttpRequest& request) = 0;

  // The response for a failure met before or around Handle (body over the cap, server stopping,
  // unreadable body, an exception), in this handler's own error format. The default is a JSON
  // object {"error": message}; the FHIR API answers an OperationOutcome.
  virtual HttpResponse Failure(int status, const std::string& path,
                               const std::string& message) const;
};

// Splits "a=1&b=x%20y" into decoded pairs ('+' is a space).
std::vector<std::pair<std::string, std::string>> ParseQueryString(std::string_view raw);
std::string PercentDecode(std::string_view text);
// The non-empty segments of a path: "/a//b/" → {"a", "b"}. Views into `path`.
std::vector<std::string_view> SplitPathSegments(std::string_view path);
std::string PercentEncode(std::string_view text);
// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive); "" without
// one.
std::string BearerToken(const HttpRequest& request);

}  // namespace duet::gateway
