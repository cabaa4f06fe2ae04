// Structured fields for log lines: while a ScopedLogFields lives, every line logged on its
// thread carries its fields (the HTTP server scopes "request_id" around each handler, so a
// handler's own log lines name the request). The log formatter (server/logging.cc) reads them.
//
// Thread-local: a scope belongs to the thread that made it and must end on that thread, in the
// reverse order of creation (use it as a local variable).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace duet::gateway {

struct LogField {
  std::string name;
  std::string value;
  bool quoted = true;  // false: a number written as is

  static LogField String(std::string name, std::string value) {
    return {std::move(name), std::move(value), true};
  }
  static LogField Number(std::string name, int64_t value) {
    return {std::move(name), std::to_string(value), false};
  }
  static LogField Number(std::string name, double value);  // 3 decimals
};

class ScopedLogFields {
 public:
  explicit ScopedLogFields(std::vector<LogField> fields);
  ~ScopedLogFields();
  ScopedLogFields(const ScopedLogFields&) = delete;
  ScopedLogFields& operator=(const ScopedLogFields&) = delete;

 private:
  size_t count_;
};

// The fields in force on this thread, outermost first.
const std::vector<LogField>& CurrentLogFields();

}  // namespace duet::gateway
