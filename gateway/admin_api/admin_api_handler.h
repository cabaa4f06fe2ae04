// AdminApiHandler: the admin API at /admin/v1 (docs/admin-guide.md): a small router of admin
// routes, each a method and a path under the mount answered by a function. Errors are JSON
// (http/json_response.h): {"error": {"status", "message", "problems": [{"parameter" or "pointer",
// "message"}]}}, every problem with the query parameter or JSON pointer it is about. In smart
// mode it is mounted behind the admin's own token (StaticBearerGate, auth.admin_token_file).
//
// Routes are added before serving; Handle() is then called concurrently and reads only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

class AdminApiHandler : public HttpHandler {
 public:
  using Route = std::function<HttpResponse(const HttpRequest&)>;

  explicit AdminApiHandler(std::string mount_path = "/admin/v1")
      : mount_path_(std::move(mount_path)) {}

  // Answers `method` on `path` under the mount ("/audit"). Not thread-safe: call before serving.
  void Add(std::string method, std::string path, Route route);

  HttpResponse Handle(const HttpRequest& request) override;
  HttpResponse Failure(int status, const std::string& path,
                       const std::string& message) const override;

 private:
  struct Entry {
    std::string method;
    std::string path;
    Route route;
  };
  std::string mount_path_;
  std::vector<Entry> routes_;
};

}  // namespace duet::gateway
