// ClientRegistry: the SMART Backend Services clients registered in the config (`auth.clients`),
// with their organization, allowed scopes and public keys. Keys from a `jwks_file` are read at
// start and read again when a client presents a kid we do not know (at most once a minute per
// client), so a partner that rotates its keys only needs the admin to update the file.
//
// Built at start and replaced as a whole when the admin changes the registered clients
// (Replace); thread-safe: every method takes the registry's lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fhir/status.h"
#include "gateway/auth/jwk.h"
#include "gateway/auth/scopes.h"
#include "gateway/config/auth_config.h"

namespace duet::gateway {

struct RegisteredClient {
  std::string client_id;
  std::string organization_npi;
  std::vector<Scope> allowed_scopes;
};

class ClientRegistry {
 public:
  // Every client's scopes and keys must be readable: the error names the client and the file.
  static StatusOr<std::unique_ptr<ClientRegistry>> Create(const std::vector<ClientConfig>& clients);

  std::optional<RegisteredClient> Find(const std::string& client_id) const;
  // Swaps in the clients of `clients` (checked as Create does; on error nothing changes). Key
  // reload times of clients that stay are kept.
  Status Replace(const std::vector<ClientConfig>& clients);
  // The client's public keys, read from its inline JWKS or its file.
  static StatusOr<std::vector<PublicJwk>> LoadKeys(const ClientConfig& config);

  // The client's key with `key_id`; kNotFound when neither the registered keys nor a fresh read
  // of its JWKS file has it. `now` in seconds since the epoch.
  StatusOr<PublicJwk> Key(const std::string& client_id, const std::string& key_id, int64_t now);

 private:
  struct Entry {
    RegisteredClient client;
    ClientConfig config;
    std::vector<PublicJwk> keys;
    int64_t last_reload = 0;
  };
  static StatusOr<std::map<std::string, Entry>> Build(const std::vector<ClientConfig>& clients);

  mutable std::mutex mutex_;  // guards clients_
  std::map<std::string, Entry> clients_;
};

}  // namespace duet::gateway
