#include "gateway/server/health_handler.h"

namespace duet::gateway {

std::optional<HttpResponse> RefuseUnlessGetOrHead(const HttpRequest& request,
                                                  std::string_view path) {
  if (request.path == path && (request.method == "GET" || request.method == "HEAD")) {
    return std::nullopt;
  }
  HttpResponse response;
  response.headers.Set("Content-Type", "application/json");
  response.headers.Set("Cache-Control", "no-store");
  if (request.path != path) {
    response.status = 404;
    response.body = R"({"error":"no resource at this path"})";
  } else {
    response.status = 405;
    response.headers.Set("Allow", "GET, HEAD");
    response.body = R"({"error":"use GET or HEAD"})";
  }
  return response;
}

HttpResponse HealthHandler::Handle(const HttpRequest& request) {
  if (auto refused = RefuseUnlessGetOrHead(request, "/healthz")) return *refused;
  HttpResponse response;
  response.headers.Set("Content-Type", "application/json");
  response.headers.Set("Cache-Control", "no-store");
  response.body = R"({"status":"ok"})";
  return response;
}

}  // namespace duet::gateway
