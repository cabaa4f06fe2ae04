#include "gateway/admin_api/admin_api_handler.h"

#include <exception>

#include "gateway/http/json_response.h"

namespace duet::gateway {

using fhir::Json;

void AdminApiHandler::Add(std::string method, std::string path, Route route) {
  routes_.push_back({std::move(method), std::move(path), std::move(route)});
}

HttpResponse AdminApiHandler::Handle(const HttpRequest& request) {
  std::string_view path = request.path;
  if (path.rfind(mount_path_, 0) == 0) path.remove_prefix(mount_path_.size());
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  std::string allowed;
  for (const Entry& entry : routes_) {
    if (entry.path != path) continue;
    if (entry.method == request.method || (entry.method == "GET" && request.method == "HEAD")) {
      try {
        return entry.route(request);
      } catch (const std::exception& e) {
        return JsonErrorResponse(500, std::string("unexpected failure: ") + e.what());
      }
    }
    allowed += (allowed.empty() ? "" : ", ") + entry.method;
  }
  if (!allowed.empty()) {
    HttpResponse response =
        JsonErrorResponse(405, request.method + " is not allowed here; allowed: " + allowed);
    response.headers.Set("Allow", allowed);
    return response;
  }
  return JsonErrorResponse(404, "no admin route " + std::string(path));
}

HttpResponse AdminApiHandler::Failure(int status, const std::string& path,
                                      const std::string& message) const {
  (void)path;
  return JsonErrorResponse(status, message);
}

}  // namespace duet::gateway
