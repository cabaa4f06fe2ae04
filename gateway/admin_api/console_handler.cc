#include "gateway/admin_api/console_handler.h"

#include <array>
#include <utility>

namespace duet::gateway {
namespace {

constexpr std::string_view kIndex = "index.html";
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; "
    "form-action 'self'";

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

void SetCommonHeaders(HttpResponse& response) {
  response.headers.Set("X-Content-Type-Options", "nosniff");
  response.headers.Set("Content-Security-Policy", std::string(kContentSecurityPolicy));
  response.headers.Set("Referrer-Policy", "no-referrer");
  response.headers.Set("X-Frame-Options", "DENY");
}

HttpResponse Plain(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers.Set("Content-Type", "application/json");
  response.headers.Set("Cache-Control", "no-store");
  SetCommonHeaders(response);
  response.body = std::move(body);
  return response;
}

// True when a segment of the path is "", "." or ".." (after the router's percent-decoding), or
// the path holds a backslash or NUL: such paths are never a console file.
bool Suspicious(std::string_view relative) {
  if (relative.find('\\') != std::string_view::npos) return true;
  if (relative.find('\0') != std::string_view::npos) return true;
  size_t start = 0;
  while (start <= relative.size()) {
    size_t end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    std::string_view segment = relative.substr(start, end - start);
    if (segment == "." || segment == "..") return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

ConsoleHandler::ConsoleHandler(const std::vector<ConsoleAsset>& assets) {
  for (const ConsoleAsset& asset : assets) files_.emplace(std::string(asset.path), asset.data);
}

std::string ConsoleHandler::ContentTypeFor(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  }};
  for (const auto& [extension, type] : kTypes) {
    if (EndsWith(path, extension)) return std::string(type);
  }
  return "application/octet-stream";
}

HttpResponse ConsoleHandler::Handle(const HttpRequest& request) {
  const std::string& path = request.path;
  if (path == "/admin/v1" || StartsWith(path, "/admin/v1/")) {
    return Plain(404, R"({"error":{"status":404,"message":"no admin API route at this path"}})");
  }
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response = Plain(405, R"({"error":{"status":405,"message":"use GET or HEAD"}})");
    response.headers.Set("Allow", "GET, HEAD");
    return response;
  }
  if (path == kMountPrefix) {  // "/admin": the app's relative URLs need the trailing slash
    HttpResponse response = Plain(301, "");
    response.headers.Set("Location", "/admin/");
    return response;
  }
  std::string_view relative = std::string_view(path).substr(kMountPrefix.size() + 1);
  if (Suspicious(relative)) return Plain(404, R"({"error":"no such console file"})");
  const bool head = request.method == "HEAD";
  if (auto file = files_.find(relative); file != files_.end()) {
    return Serve(file->first, file->second, head);
  }
  // A missing asset (a file name with an extension, or anything under assets/) is a 404; any
  // other path is a page of the app, answered with index.html.
  std::string_view last = relative.substr(relative.rfind('/') + 1);
  if (!relative.empty() &&
      (StartsWith(relative, "assets/") || last.find('.') != std::string_view::npos)) {
    return Plain(404, R"({"error":"no such console file"})");
  }
  auto index = files_.find(kIndex);
  if (index == files_.end()) {
    return Plain(503, R"({"error":"this build of duet has no admin console"})");
  }
  return Serve(index->first, index->second, head);
}

HttpResponse ConsoleHandler::Serve(const std::string& path, std::string_view data,
                                   bool head) const {
  HttpResponse response;
  response.headers.Set("Content-Type", ContentTypeFor(path));
  // Vite names assets by content hash, so they never change; index.html is checked every time.
  response.headers.Set("Cache-Control", StartsWith(path, "assets/")
                                            ? "public, max-age=31536000, immutable"
                                            : "no-cache");
  SetCommonHeaders(response);
  if (!head) response.body.assign(data.data(), data.size());
  return response;
}

}  // namespace duet::gateway
