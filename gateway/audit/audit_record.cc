#include "gateway/audit/audit_record.h"

#include <algorithm>
#include <cstdio>
#include <random>

namespace duet::gateway {

std::string NewAuditId() {
  thread_local std::mt19937_64 random = [] {
    std::random_device device;
    return std::mt19937_64((static_cast<uint64_t>(device()) << 32) ^ device());
  }();
  char text[33];
  std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(random()),
                static_cast<unsigned long long>(random()));
  return text;
}

std::string AuditClientName(const AuditAgent& agent) {
  return agent.client_id.empty() ? agent.kind : agent.client_id;
}

int AuditOutcomeFor(int http_status) {
  if (http_status >= 100 && http_status < 400) return 0;
  if (http_status >= 400 && http_status < 500) return 4;
  return 8;
}

void AddUnique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

}  // namespace duet::gateway
