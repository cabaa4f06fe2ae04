#include "gateway/http/router.h"

#include <algorithm>
#include <utility>

namespace duet::gateway {
namespace {

bool PrefixMatches(const std::string& prefix, const std::string& path) {
  if (prefix == "/") return !path.empty() && path.front() == '/';
  if (path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

}  // namespace

Status Router::Mount(std::string prefix, std::shared_ptr<HttpHandler> handler) {
  if (handler == nullptr) return InvalidArgumentError("router: no handler for " + prefix);
  if (prefix.empty() || prefix.front() != '/' || (prefix.size() > 1 && prefix.back() == '/')) {
    return InvalidArgumentError("router: prefix must start with '/' and not end with one: '" +
                                prefix + "'");
  }
  for (const Route& route : routes_) {
    if (route.prefix == prefix) return AlreadyExistsError("router: " + prefix + " already mounted");
  }
  routes_.push_back({std::move(prefix), std::move(handler)});
  std::stable_sort(routes_.begin(), routes_.end(), [](const Route& a, const Route& b) {
    return a.prefix.size() > b.prefix.size();
  });
  return Status::Ok();
}

HttpHandler* Router::Find(const std::string& path) const {
  for (const Route& route : routes_) {
    if (PrefixMatches(route.prefix, path)) return route.handler.get();
  }
  return nullptr;
}

HttpResponse Router::Handle(const HttpRequest& request) {
  HttpHandler* handler = Find(request.path);
  if (handler == nullptr)
    return HttpHandler::Failure(404, request.path, "no resource at " + request.path);
  return handler->Handle(request);
}

HttpResponse Router::Failure(int status, const std::string& path,
                             const std::string& message) const {
  HttpHandler* handler = Find(path);
  if (handler == nullptr) return HttpHandler::Failure(status, path, message);
  return handler->Failure(status, path, message);
}

}  // namespace duet::gateway
