#include "gateway/config/gateway_config.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <vector>

#include "fhir/json.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr long long kMaxThreads = 1024;
constexpr long long kMinBodyBytes = 1024;
constexpr long long kMaxBodyBytes = 1024LL * 1024 * 1024;

// Collects problems, each prefixed with its JSON pointer.
class Problems {
 public:
  void Add(const std::string& pointer, const std::string& message) {
    lines_.push_back(pointer + ": " + message);
  }
  bool empty() const { return lines_.empty(); }
  std::string Joined() const {
    std::string text;
    for (const std::string& line : lines_) text += (text.empty() ? "" : "\n") + line;
    return text;
  }
  size_t size() const { return lines_.size(); }

 private:
  std::vector<std::string> lines_;
};

std::string Pointer(std::string_view section, std::string_view field = "") {
  std::string pointer = "/" + std::string(section);
  if (!field.empty()) pointer += "/" + std::string(field);
  return pointer;
}

// Reports members of `object` whose names are not in `known`.
void CheckKnownMembers(const Json& object, const std::string& pointer,
                       std::initializer_list<std::string_view> known, Problems& problems) {
  for (const auto& [name, value] : object.members()) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      problems.Add(pointer + '/' + name, "unknown field");
    }
  }
}

// The section object, or nullptr (reporting a problem when it is required or not an object).
const Json* Section(const Json& root, std::string_view name, bool required, Problems& problems) {
  const Json* section = root.Find(name);
  if (section == nullptr) {
    if (required) problems.Add(Pointer(name), "required section is missing");
    return nullptr;
  }
  if (!section->is_object()) {
    problems.Add(Pointer(name), "must be an object");
    return nullptr;
  }
  return section;
}

std::optional<std::string> ReadString(const Json* section, std::string_view section_name,
                                      std::string_view field, bool required, Problems& problems) {
  if (section == nullptr) return std::nullopt;
  const Json* value = section->Find(field);
  if (value == nullptr) {
    if (required) problems.Add(Pointer(section_name, field), "required");
    return std::nullopt;
  }
  if (!value->is_string() || value->string_value().empty()) {
    problems.Add(Pointer(section_name, field), "must be a non-empty string");
    return std::nullopt;
  }
  return value->string_value();
}

std::optional<long long> ReadInteger(const Json* section, std::string_view section_name,
                                     std::string_view field, bool required, long long min,
                                     long long max, Problems& problems) {
  if (section == nullptr) return std::nullopt;
  const Json* value = section->Find(field);
  std::string pointer = Pointer(section_name, field);
  std::string expected = "must be an integer " + std::to_string(min) + "-" + std::to_string(max);
  if (value == nullptr) {
    if (required) problems.Add(pointer, "required; " + expected);
    return std::nullopt;
  }
  if (!value->is_number()) {
    problems.Add(pointer, expected);
    return std::nullopt;
  }
  const std::string& text = value->number_text();
  bool digits_only =
      !text.empty() && text.size() <= 18 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  long long number = digits_only ? std::stoll(text) : -1;
  if (!digits_only || number < min || number > max) {
    problems.Add(pointer, expected + " (got " + text + ")");
    return std::nullopt;
  }
  return number;
}

std::string ResolvePath(const std::string& base_directory, const std::string& path) {
  if (path == ":memory:") return path;
  std::filesystem::path resolved(path);
  if (resolved.is_relative() && !base_directory.empty()) {
    resolved = std::filesystem::path(base_directory) / resolved;
  }
  return resolved.lexically_normal().string();
}

// "scheme:rest" with an RFC 3986 scheme and something after it.
bool IsAbsoluteUri(const std::string& text) {
  size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(text[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = text[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return text.find_first_of(" \t\r\n") == std::string::npos;
}

void ReadListen(const Json& root, GatewayConfig& config, Problems& problems) {
  const Json* listen = Section(root, "listen", true, problems);
  if (listen == nullptr) return;
  CheckKnownMembers(*listen, "/listen", {"host", "port", "threads"}, problems);
  if (auto host = ReadString(listen, "listen", "host", true, problems)) {
    if (host->find_first_of(" /?#@") != std::string::npos) {
      problems.Add("/listen/host", "must be a host name or IP address (got \"" + *host + "\")");
    } else {
      config.listen.host = *host;
    }
  }
  if (auto port = ReadInteger(listen, "listen", "port", true, 1, 65535, problems)) {
    config.listen.port = static_cast<int>(*port);
  }
  if (auto threads = ReadInteger(listen, "listen", "threads", false, 1, kMaxThreads, problems)) {
    config.listen.threads = static_cast<size_t>(*threads);
  }
}

void ReadTls(const Json& root, const std::string& base, GatewayConfig& config, Problems& problems) {
  const Json* tls = Section(root, "tls", true, problems);
  if (tls == nullptr) return;
  CheckKnownMembers(*tls, "/tls", {"certificate", "private_key", "client_ca"}, problems);
  if (auto path = ReadString(tls, "tls", "certificate", true, problems)) {
    config.tls.certificate = ResolvePath(base, *path);
  }
  if (auto path = ReadString(tls, "tls", "private_key", true, problems)) {
    config.tls.private_key = ResolvePath(base, *path);
  }
  if (auto path = ReadString(tls, "tls", "client_ca", false, problems)) {
    config.tls.client_ca = ResolvePath(base, *path);
  }
}

void ReadStore(const Json& root, const std::string& base, GatewayConfig& config,
               Problems& problems) {
  const Json* store = Section(root, "store", true, problems);
  if (store == nullptr) return;
  CheckKnownMembers(*store, "/store", {"path"}, problems);
  if (auto path = ReadString(store, "store", "path", true, problems)) {
    config.store.path = ResolvePath(base, *path);
  }
}

void ReadPractice(const Json& root, GatewayConfig& config, Problems& problems) {
  const Json* practice = Section(root, "practice", true, problems);
  if (practice == nullptr) return;
  CheckKnownMembers(*practice, "/practice", {"identifier_base"}, problems);
  if (auto base = ReadString(practice, "practice", "identifier_base", true, problems)) {
    if (IsAbsoluteUri(*base)) {
      config.practice.identifier_base = *base;
    } else {
      problems.Add("/practice/identifier_base",
                   "must be an absolute URI such as https://practice.example.org/id (got \"" +
                       *base + "\")");
    }
  }
}

void ReadLimits(const Json& root, GatewayConfig& config, Problems& problems) {
  const Json* limits = Section(root, "limits", false, problems);
  if (limits == nullptr) return;
  CheckKnownMembers(*limits, "/limits", {"max_body_bytes"}, problems);
  if (auto bytes = ReadInteger(limits, "limits", "max_body_bytes", false, kMinBodyBytes,
                               kMaxBodyBytes, problems)) {
    config.limits.max_body_bytes = static_cast<size_t>(*bytes);
  }
}

void ReadFhir(const Json& root, GatewayConfig& config, Problems& problems) {
  const Json* fhir_section = Section(root, "fhir", false, problems);
  if (fhir_section == nullptr) return;
  CheckKnownMembers(*fhir_section, "/fhir", {"base_url"}, problems);
  if (auto url = ReadString(fhir_section, "fhir", "base_url", false, problems)) {
    bool http = url->rfind("https://", 0) == 0 || url->rfind("http://", 0) == 0;
    if (!http || url->find_first_of("?# \t") != std::string::npos) {
      problems.Add("/fhir/base_url",
                   "must be an http(s) URL without query or fragment (got \"" + *url + "\")");
    } else {
      while (!url->empty() && url->back() == '/') url->pop_back();
      config.fhir.base_url = *url;
    }
  }
}

void ReadLog(const Json& root, GatewayConfig& config, Problems& problems) {
  const Json* log = Section(root, "log", false, problems);
  if (log == nullptr) return;
  CheckKnownMembers(*log, "/log", {"level"}, problems);
  if (auto level = ReadString(log, "log", "level", false, problems)) {
    static const std::vector<std::string> kLevels = {"trace", "debug",    "info", "warn",
                                                     "error", "critical", "off"};
    if (std::find(kLevels.begin(), kLevels.end(), *level) == kLevels.end()) {
      problems.Add(
          "/log/level",
          "must be one of trace, debug, info, warn, error, critical, off (got \"" + *level + "\")");
    } else {
      config.log.level = *level;
    }
  }
}

}  // namespace

StatusOr<GatewayConfig> ParseGatewayConfig(std::string_view text,
                                           const std::string& base_directory) {
  StatusOr<Json> parsed = fhir::ParseJson(text);
  if (!parsed.ok()) return InvalidArgumentError("not valid JSON: " + parsed.status().message());
  const Json& root = *parsed;
  if (!root.is_object()) return InvalidArgumentError("the configuration must be a JSON object");

  GatewayConfig config;
  Problems problems;
  CheckKnownMembers(root, "", {"listen", "tls", "store", "practice", "limits", "fhir", "log"},
                    problems);
  ReadListen(root, config, problems);
  ReadTls(root, base_directory, config, problems);
  ReadStore(root, base_directory, config, problems);
  ReadPractice(root, config, problems);
  ReadLimits(root, config, problems);
  ReadFhir(root, config, problems);
  ReadLog(root, config, problems);
  if (!problems.empty()) return InvalidArgumentError(problems.Joined());
  return config;
}

StatusOr<GatewayConfig> LoadGatewayConfig(const std::string& path) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) absolute = path;
  std::ifstream file(absolute, std::ios::binary);
  if (!file) {
    return NotFoundError("config " + path + ": cannot read: " + std::strerror(errno));
  }
  std::ostringstream text;
  text << file.rdbuf();
  StatusOr<GatewayConfig> config =
      ParseGatewayConfig(text.str(), absolute.parent_path().lexically_normal().string());
  if (!config.ok()) {
    return Status(config.status().code(), "config " + path + ":\n" + config.status().message());
  }
  config->source_path = absolute.lexically_normal().string();
  return config;
}

}  // namespace duet::gateway
