// Checking a partner endpoint before (or while) jobs use it: `duet endpoints test` and the admin
// API's "test connection". Fetches the partner's CapabilityStatement over the endpoint's TLS
// settings, makes one authorized search, and reports what the sync jobs rely on that the server
// does not list. Free function; blocks for at most about twice the endpoint's timeout.
#pragma once

#include <string>
#include <vector>

#include "gateway/config/sync_config.h"

namespace duet::gateway {

struct EndpointCheck {
  std::string outcome;  // "ok", "warn" or "fail"
  std::string what;     // "TLS/metadata", "auth (bearer)", "transaction Bundles", ...
  std::string detail;   // what was seen; never a secret
};

struct EndpointCheckReport {
  std::vector<EndpointCheck> checks;
  // No check failed ("warn" is fine).
  bool ok() const;
};

EndpointCheckReport CheckEndpoint(const EndpointConfig& endpoint);

// "name  https://...  partner NPI ...  mutual TLS  auth bearer (token in /path)  timeout 30s":
// file paths, never secrets.
std::string DescribeEndpoint(const EndpointConfig& endpoint);

}  // namespace duet::gateway
