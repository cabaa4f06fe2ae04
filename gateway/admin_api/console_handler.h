// ConsoleHandler: serves the admin web console (a single-page app) at /admin/ from files held in
// memory: index.html for /admin/ and for any page path of the app, the hashed assets under
// /admin/assets/ with a long cache lifetime, each with its Content-Type, a strict
// Content-Security-Policy (default-src 'self') and nosniff. Paths under /admin/v1 are never the
// console's: they answer 404 here (the admin API is mounted at its longer prefixes). Only the
// embedded files can be served, and a path with a ".." or "." segment is refused, so nothing on
// disk is reachable. The console holds no secret; the admin API behind it checks the token.
// Immutable after construction; any thread may call Handle.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/admin_api/console_assets.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

class ConsoleHandler final : public HttpHandler {
 public:
  static constexpr std::string_view kMountPrefix = "/admin";

  explicit ConsoleHandler(const std::vector<ConsoleAsset>& assets);

  HttpResponse Handle(const HttpRequest& request) override;

  // "text/javascript; charset=utf-8" for "x.js", ...; "application/octet-stream" when unknown.
  static std::string ContentTypeFor(std::string_view path);

 private:
  HttpResponse Serve(const std::string& path, std::string_view data, bool head) const;

  std::map<std::string, std::string_view, std::less<>> files_;
};

}  // namespace duet::gateway
