// The sync part of the configuration file: partner endpoints and scheduled jobs
// (config/README.md, docs/admin-guide.md). Parsed with the rest of GatewayConfig; every problem
// is reported with its JSON pointer. Secrets are never in the file: tokens and keys are named by
// path and read when used, so they can be rotated without a restart and never reach a log.
// Plain values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "gateway/config/config_reader.h"

namespace duet::gateway {

struct EndpointConfig {
  std::string name;              // [a-z0-9_-], unique
  std::string base_url;          // https://..., no trailing '/'
  std::string organization_npi;  // the partner organization's type-2 NPI
  int timeout_seconds = 30;
  // The most entries the partner takes in one transaction (0 = no limit): larger pushes go in
  // several transactions, in reference order, each naming what the earlier ones stored.
  size_t max_transaction_entries = 0;

  struct Tls {
    std::string ca_file;             // absolute; "" = the system's trusted CAs
    std::string client_certificate;  // absolute; both or neither, for mTLS
    std::string client_key;
  } tls;

  struct Auth {
    std::string method = "none";  // none | bearer | smart
    std::string token_file;       // bearer: a file holding the token
    // smart (SMART Backend Services, client side):
    std::string client_id;
    std::string token_url;
    std::string private_key_file;  // PEM, EC P-384 for ES384 or RSA for RS384
    std::string key_id;            // "kid" of the JWT header
    std::string algorithm = "ES384";
    std::string scopes;  // space-separated, e.g. "system/CarePlan.cruds system/Task.rs"
  } auth;
};

// The job kinds this version runs (docs/sync.md).
inline constexpr const char* kJobKinds[] = {"push_care_plans", "pull_referrals",
                                            "push_referral_status", "pull_medication_history"};

// Whether jobs of this kind store what they take in (the pull_* kinds). Such jobs run inside
// the gateway that serves the store, or with the gateway stopped (gateway/store/serving_lock.h).
inline bool JobWritesResources(std::string_view kind) { return kind.rfind("pull_", 0) == 0; }

struct JobConfig {
  std::string name;             // unique
  std::string kind;             // one of kJobKinds
  std::string endpoint;         // an EndpointConfig name
  long long every_seconds = 0;  // an interval schedule, or
  std::string cron;             // a cron expression (cron_schedule.h); exactly one of the two
  // pull_medication_history: a patient is pulled again this long after the last pull, and
  // `as_of` (YYYY-MM-DD, "" = today in UTC) is the day the 12-month window and the
  // active/completed status are reckoned from.
  long long repull_every_seconds = 7LL * 86400;
  std::string as_of;
};

// Reads "endpoints" and "jobs" of the root object; relative paths resolve against
// `base_directory`.
void ReadSyncConfig(const fhir::Json& root, const std::string& base_directory,
                    std::vector<EndpointConfig>& endpoints, std::vector<JobConfig>& jobs,
                    ConfigProblems& problems);

// "90s", "15m", "2h", "1d" → seconds; -1 when malformed.
long long ParseInterval(std::string_view text);

// The endpoint as it appears in the config file (for `duet endpoints add`/`list`).
fhir::Json EndpointToJson(const EndpointConfig& endpoint);

}  // namespace duet::gateway
