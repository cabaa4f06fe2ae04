#include "gateway/server/health_handler.h"

namespace duet::gateway {

HttpResponse HealthHandler::Handle(const HttpRequest& request) {
  HttpResponse response;
  response.headers.Set("Content-Type", "application/json");
  response.headers.Set("Cache-Control", "no-store");
  if (request.path != "/healthz") {
    response.status = 404;
    response.body = R"({"error":"no resource at this path"})";
  } else if (request.method != "GET" && request.method != "HEAD") {
    response.status = 405;
    response.headers.Set("Allow", "GET, HEAD");
    response.body = R"({"error":"use GET or HEAD"})";
  } else {
    response.body = R"({"status":"ok"})";
  }
  return response;
}

}  // namespace duet::gateway
