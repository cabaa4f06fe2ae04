#include "gateway/config/config_reader.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace duet::gateway {

using fhir::Json;

std::string ConfigProblems::Joined() const {
  std::string text;
  for (const std::string& line : lines_) text += (text.empty() ? "" : "\n") + line;
  return text;
}

void CheckKnownMembers(const Json& object, const std::string& pointer,
                       std::initializer_list<std::string_view> known, ConfigProblems& problems) {
  for (const auto& [name, value] : object.members()) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      problems.Add(pointer + '/' + name, "unknown field");
    }
  }
}

const Json* ReadObject(const Json* object, const std::string& pointer, std::string_view field,
                       bool required, ConfigProblems& problems) {
  if (object == nullptr) return nullptr;
  const Json* value = object->Find(field);
  std::string at = pointer + "/" + std::string(field);
  if (value == nullptr) {
    if (required) problems.Add(at, "required section is missing");
    return nullptr;
  }
  if (!value->is_object()) {
    problems.Add(at, "must be an object");
    return nullptr;
  }
  return value;
}

std::optional<std::string> ReadString(const Json* object, const std::string& pointer,
                                      std::string_view field, bool required,
                                      ConfigProblems& problems) {
  if (object == nullptr) return std::nullopt;
  const Json* value = object->Find(field);
  std::string at = pointer + "/" + std::string(field);
  if (value == nullptr) {
    if (required) problems.Add(at, "required");
    return std::nullopt;
  }
  if (!value->is_string() || value->string_value().empty()) {
    problems.Add(at, "must be a non-empty string");
    return std::nullopt;
  }
  return value->string_value();
}

std::optional<long long> ReadInteger(const Json* object, const std::string& pointer,
                                     std::string_view field, bool required, long long min,
                                     long long max, ConfigProblems& problems) {
  if (object == nullptr) return std::nullopt;
  const Json* value = object->Find(field);
  std::string at = pointer + "/" + std::string(field);
  std::string expected = "must be an integer " + std::to_string(min) + "-" + std::to_string(max);
  if (value == nullptr) {
    if (required) problems.Add(at, "required; " + expected);
    return std::nullopt;
  }
  if (!value->is_number()) {
    problems.Add(at, expected);
    return std::nullopt;
  }
  const std::string& text = value->number_text();
  bool digits_only =
      !text.empty() && text.size() <= 18 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  long long number = digits_only ? std::stoll(text) : -1;
  if (!digits_only || number < min || number > max) {
    problems.Add(at, expected + " (got " + text + ")");
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

std::optional<std::string> ReadFile(const fhir::Json* object, const std::string& pointer,
                                    std::string_view field, bool required, const std::string& base,
                                    ConfigProblems& problems) {
  auto path = ReadString(object, pointer, field, required, problems);
  if (!path) return std::nullopt;
  std::string resolved = ResolvePath(base, *path);
  std::error_code error;
  if (!std::filesystem::is_regular_file(resolved, error)) {
    problems.Add(pointer + "/" + std::string(field), "no such file: " + resolved);
    return std::nullopt;
  }
  return resolved;
}

}  // namespace duet::gateway
