// `duet clients list|add|remove --config FILE`: the partner EHRs registered for SMART Backend
// Services (config `auth.clients[]`, docs/security.md).
//   list          one line per client: id, organization NPI, allowed scopes, key ids
//   add           registers a client with its JWKS file; its keys are read and checked, and the
//                 whole file is validated as `duet serve` would, before it is written (atomically,
//                 keeping the file's other content and permissions)
//   remove ID     removes a client
// Stateless; the streams are the caller's. Exit 0 on success, 2 on usage or configuration errors.
#pragma once

#include <iosfwd>
#include <string>

#include "gateway/config/auth_config.h"

namespace duet::gateway {

int RunClientsListCommand(const std::string& config_path, std::ostream& out, std::ostream& err);
int RunClientsAddCommand(const std::string& config_path, const ClientConfig& client,
                         std::ostream& out, std::ostream& err);
int RunClientsRemoveCommand(const std::string& config_path, const std::string& client_id,
                            std::ostream& out, std::ostream& err);

}  // namespace duet::gateway
