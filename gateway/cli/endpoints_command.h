// `duet endpoints list|add|remove|test --config FILE`: partner endpoints in the configuration
// file (docs/admin-guide.md).
//   list          one line per endpoint: name, base URL, partner NPI, TLS and auth method (file
//                 paths, never secrets)
//   add           adds an endpoint; the whole file is validated as `duet serve` would before it is
//                 written (atomically, keeping the file's other content and permissions)
//   remove NAME   removes an endpoint no job uses
//   test NAME     fetches the partner's CapabilityStatement and reports TLS, authorization and
//                 what the server supports that the sync jobs rely on
// Stateless; the streams are the caller's. Exit 0 on success, 1 when a test fails, 2 on usage or
// configuration errors.
#pragma once

#include <iosfwd>
#include <string>

#include "gateway/config/sync_config.h"

namespace duet::gateway {

int RunEndpointsListCommand(const std::string& config_path, std::ostream& out, std::ostream& err);
int RunEndpointsAddCommand(const std::string& config_path, const EndpointConfig& endpoint,
                           std::ostream& out, std::ostream& err);
int RunEndpointsRemoveCommand(const std::string& config_path, const std::string& name,
                              std::ostream& out, std::ostream& err);
int RunEndpointsTestCommand(const std::string& config_path, const std::string& name,
                            std::ostream& out, std::ostream& err);

}  // namespace duet::gateway
