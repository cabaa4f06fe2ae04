// ConfigEditor: the one way the running configuration changes, for the admin API and the CLI
// (`duet endpoints|clients|jobs ...`). A change is applied to the file's JSON, the whole result
// is validated as `duet serve` reads it (every problem named with its JSON pointer), and only
// then is the file replaced, atomically and keeping its permissions. Collections are edited by
// key: `endpoints` by "name", `auth.clients` by "client_id", `jobs` by "name".
//
// Changes are serialized: within the process by a mutex, between processes (the gateway and a
// CLI run) by an flock on "<config>.lock". Any thread may call any method.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/config/gateway_config.h"

namespace duet::gateway {

// A collection of the config that is edited item by item.
struct ConfigCollection {
  std::vector<std::string> path;  // members leading to the array: {"auth", "clients"}
  std::string key;                // the member naming an item: "name", "client_id"
  std::string what;               // "endpoint", "client", "job" (for messages)

  static const ConfigCollection& Endpoints();
  static const ConfigCollection& Clients();
  static const ConfigCollection& Jobs();
  std::string Pointer() const;  // "/auth/clients"
  // Where the item keyed `item_key` is in `config` ("/endpoints/2"), or where an added one would
  // go.
  std::string ItemPointer(fhir::Json& config, const std::string& item_key) const;
};

// A refused change: the problems, each "pointer: message". The status code says why: kNotFound
// (no such item), kAlreadyExists (an item with that key exists), kInvalidArgument (the result
// would not be a valid configuration). Pointers are the file's ("/endpoints/1/base_url").
struct ConfigProblem {
  std::string pointer;
  std::string message;
};
std::vector<ConfigProblem> SplitConfigProblems(const Status& status);
// The problems of a refused change with those inside the item at `item_pointer` re-pointed
// relative to the item (what an API caller sent); the others keep their place in the file.
Status RelativeToItem(const Status& status, const std::string& item_pointer);

class ConfigEditor {
 public:
  explicit ConfigEditor(std::string config_path);

  const std::string& path() const { return path_; }
  StatusOr<GatewayConfig> Load() const;
  StatusOr<fhir::Json> LoadJson() const;

  // The new configuration when the change was written.
  StatusOr<GatewayConfig> Add(const ConfigCollection& collection, fhir::Json item);
  // Replaces the item keyed `key` (the item's own key member must be absent or equal).
  StatusOr<GatewayConfig> Replace(const ConfigCollection& collection, const std::string& key,
                                  fhir::Json item);
  StatusOr<GatewayConfig> Remove(const ConfigCollection& collection, const std::string& key);

  // The general form: `change` edits the file's JSON in place (returning an error leaves the
  // file as it was).
  StatusOr<GatewayConfig> Apply(const std::function<Status(fhir::Json&)>& change);

 private:
  std::string path_;
  std::mutex mutex_;
};

}  // namespace duet::gateway
