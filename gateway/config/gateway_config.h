// GatewayConfig: the gateway's one configuration file, read and validated once at start.
//
// The file is JSON (config/README.md documents every field). Relative file paths are resolved
// against the directory of the config file. Validation reports every problem at once, one a line,
// each starting with its JSON pointer ("/listen/port: must be an integer 1-65535"); unknown
// fields are problems too, so that a misspelt option does not silently fall back to a default.
// A plain value: copy it freely, share a const one between threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/status.h"
#include "gateway/config/auth_config.h"
#include "gateway/config/sync_config.h"

namespace duet::gateway {

// The shortest audit retention the configuration accepts: six years, HIPAA's retention period
// for the records of its security rule (45 CFR 164.316(b)(2)).
inline constexpr int64_t kMinimumAuditRetentionDays = 2190;

struct GatewayConfig {
  std::string source_path;  // the file it was read from, absolute; "" when parsed from text

  struct Listen {
    std::string host;
    int port = 0;
    size_t threads = 16;
  } listen;

  struct Tls {
    std::string certificate;  // absolute paths
    std::string private_key;
    std::string client_ca;  // "" = no client certificates
  } tls;

  struct Store {
    std::string path;  // absolute, or ":memory:"
  } store;

  struct Practice {
    std::string identifier_base;  // absolute URI, e.g. "https://practice.example.org/id"
    // The practice organization's type-2 NPI: partners address referrals to it (Task.owner).
    // "" when not configured; pull_referrals jobs require it.
    std::string organization_npi;
  } practice;

  struct Limits {
    size_t max_body_bytes = size_t{4} * 1024 * 1024;
    size_t max_header_bytes = size_t{64} * 1024;  // request line and headers together
    // Per client (SMART client, the practice, or remote address): a token bucket.
    double requests_per_second = 20000;
    double burst = 40000;
    int idle_timeout_seconds = 60;     // a connection with no traffic either way is closed
    int request_timeout_seconds = 60;  // from a request's first byte to its answer's first byte
  } limits;

  struct Fhir {
    std::string base_url;  // public base such as "https://fhir.example.org/fhir", no trailing
                           // '/'; "" = derived from each request's Host header
  } fhir;

  struct Audit {
    // Records older than this many days are deleted (AuditRetention); 0 = kept for good.
    int64_t retention_days = 0;
  } audit;

  struct Log {
    std::string level = "info";   // trace, debug, info, warn, error, critical, off
    std::string format = "json";  // "json" (one object a line) or "text"
  } log;

  AuthConfig auth;  // who may call the FHIR API (auth_config.h)

  std::vector<EndpointConfig> endpoints;  // partner FHIR servers (sync_config.h)
  std::vector<JobConfig> jobs;            // scheduled sync jobs
};

// Reads and validates `path`. Errors: kNotFound/kInvalidArgument for an unreadable file,
// kInvalidArgument listing every problem.
StatusOr<GatewayConfig> LoadGatewayConfig(const std::string& path);

// Validates JSON text; relative paths resolve against `base_directory`.
StatusOr<GatewayConfig> ParseGatewayConfig(std::string_view text,
                                           const std::string& base_directory);

}  // namespace duet::gateway
