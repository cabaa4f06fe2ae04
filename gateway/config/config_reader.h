// Helpers for reading the JSON configuration file with every problem reported at once, each with
// its JSON pointer ("/endpoints/0/base_url: must be an https URL"). Used by gateway_config.cc and
// sync_config.cc.
//
// ConfigProblems is a plain accumulator owned by one parse; the free functions are pure.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"

namespace duet::gateway {

class ConfigProblems {
 public:
  void Add(const std::string& pointer, const std::string& message) {
    lines_.push_back(pointer + ": " + message);
  }
  bool empty() const { return lines_.empty(); }
  size_t size() const { return lines_.size(); }
  std::string Joined() const;

 private:
  std::vector<std::string> lines_;
};

// Reports members of `object` (at `pointer`) whose names are not in `known`.
void CheckKnownMembers(const fhir::Json& object, const std::string& pointer,
                       std::initializer_list<std::string_view> known, ConfigProblems& problems);

// The member `field` of `object` (at `pointer`) as an object, or nullptr, reporting a problem
// when it is required and missing or not an object.
const fhir::Json* ReadObject(const fhir::Json* object, const std::string& pointer,
                             std::string_view field, bool required, ConfigProblems& problems);

// A non-empty string member; nullopt (with a problem when required or of the wrong kind).
std::optional<std::string> ReadString(const fhir::Json* object, const std::string& pointer,
                                      std::string_view field, bool required,
                                      ConfigProblems& problems);

// An integer member within [min, max].
std::optional<long long> ReadInteger(const fhir::Json* object, const std::string& pointer,
                                     std::string_view field, bool required, long long min,
                                     long long max, ConfigProblems& problems);

// A path member that must name a regular file when present; made absolute against `base`.
std::optional<std::string> ReadFile(const fhir::Json* object, const std::string& pointer,
                                    std::string_view field, bool required, const std::string& base,
                                    ConfigProblems& problems);

// `path` made absolute against `base_directory` (":memory:" stays as it is).
std::string ResolvePath(const std::string& base_directory, const std::string& path);

// "scheme:rest" with an RFC 3986 scheme and something after it.
bool IsAbsoluteUri(const std::string& text);

}  // namespace duet::gateway
