#include "gateway/telemetry/log_fields.h"

#include <cstdio>

namespace duet::gateway {
namespace {

std::vector<LogField>& Fields() {
  thread_local std::vector<LogField> fields;
  return fields;
}

}  // namespace

LogField LogField::Number(std::string name, double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.3f", value);
  return {std::move(name), buffer, false};
}

ScopedLogFields::ScopedLogFields(std::vector<LogField> fields) : count_(fields.size()) {
  std::vector<LogField>& current = Fields();
  for (LogField& field : fields) current.push_back(std::move(field));
}

ScopedLogFields::~ScopedLogFields() {
  std::vector<LogField>& current = Fields();
  current.resize(current.size() - count_);
}

const std::vector<LogField>& CurrentLogFields() { return Fields(); }

}  // namespace duet::gateway
