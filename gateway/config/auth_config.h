// The `auth` part of the configuration file: how callers of the FHIR API are authorized
// (docs/security.md, config/README.md).
//   mode "smart": SMART Backend Services. Every FHIR route but metadata and the discovery
//     document needs a bearer token from /auth/token, issued to a registered client.
//   mode "development": no authorization at all, for `scripts/run` and tests; refused unless the
//     gateway listens on loopback only.
// Each client is bound to one organization (its NPI) and may ask for at most its allowed scopes;
// its public keys are a JWKS inline or in a file (re-read when an unknown kid arrives, so a
// partner rotating keys needs no restart). Plain values.
#pragma once

#include <string>
#include <vector>

#include "fhir/json.h"
#include "gateway/config/config_reader.h"

namespace duet::gateway {

struct ClientConfig {
  std::string client_id;
  std::string organization_npi;
  std::vector<std::string> scopes;  // allowed, e.g. "system/CarePlan.rs"
  std::string jwks_file;            // absolute, or
  std::string jwks_json;            // an inline JWKS as JSON text
};

struct AuthConfig {
  std::string mode;  // "smart" or "development"
  int token_lifetime_seconds = 300;
  std::vector<ClientConfig> clients;
  // smart mode: a file holding the bearer token the practice's EMR sends to /practice/v1
  // (at least 32 characters); without it the practice API is not served.
  std::string practice_token_file;
  // smart mode: a file holding the bearer token admins send to /admin/v1 (at least 32
  // characters); without it the admin API is not served in smart mode.
  std::string admin_token_file;
};

// Reads "auth" of the root object (required). `listen_host` is the configured listen.host, which
// development mode requires to be a loopback address.
void ReadAuthConfig(const fhir::Json& root, const std::string& base_directory,
                    const std::string& listen_host, AuthConfig& auth, ConfigProblems& problems);

// The client as it appears in the config file (for `duet clients add`/`list`).
fhir::Json ClientToJson(const ClientConfig& client);

bool IsLoopbackHost(const std::string& host);

}  // namespace duet::gateway
