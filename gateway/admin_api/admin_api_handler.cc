#include "gateway/admin_api/admin_api_handler.h"

#include <exception>

namespace duet::gateway {

using fhir::Json;

HttpResponse AdminJson(int status, const Json& body, const std::string& content_type) {
  HttpResponse response;
  response.status = status;
  response.headers.Set("Content-Type", content_type);
  response.headers.Set("Cache-Control", "no-store");
  response.body = fhir::WriteJson(body);
  return response;
}

HttpResponse AdminError(int status, const std::string& message,
                        const std::vector<AdminProblem>& problems) {
  Json error = Json::MakeObject();
  error.Set("status", Json::Integer(status));
  error.Set("message", Json::String(message));
  if (!problems.empty()) {
    Json list = Json::MakeArray();
    for (const AdminProblem& problem : problems) {
      Json item = Json::MakeObject();
      if (!problem.parameter.empty()) item.Set("parameter", Json::String(problem.parameter));
      if (!problem.pointer.empty()) item.Set("pointer", Json::String(problem.pointer));
      item.Set("message", Json::String(problem.message));
      list.Append(std::move(item));
    }
    error.Set("problems", std::move(list));
  }
  Json body = Json::MakeObject();
  body.Set("error", std::move(error));
  return AdminJson(status, body);
}

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
        return AdminError(500, std::string("unexpected failure: ") + e.what());
      }
    }
    allowed += (allowed.empty() ? "" : ", ") + entry.method;
  }
  if (!allowed.empty()) {
    HttpResponse response =
        AdminError(405, request.method + " is not allowed here; allowed: " + allowed);
    response.headers.Set("Allow", allowed);
    return response;
  }
  return AdminError(404, "no admin route " + std::string(path));
}

HttpResponse AdminApiHandler::Failure(int status, const std::string& path,
                                      const std::string& message) const {
  (void)path;
  return AdminError(status, message);
}

}  // namespace duet::gateway
