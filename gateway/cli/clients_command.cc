#include "gateway/cli/clients_command.h"

#include <ostream>

#include "fhir/json.h"
#include "gateway/admin_api/config_editor.h"
#include "gateway/auth/client_registry.h"
#include "gateway/config/gateway_config.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr int kOk = 0;
constexpr int kUsage = 2;
constexpr char kReloadHint[] =
    "a running gateway uses it after a reload (systemctl reload duet, or SIGHUP)";

int Fail(std::ostream& err, const Status& status, const std::string& prefix = "") {
  err << prefix << status.message() << "\n";
  return kUsage;
}

// "id  organization NPI ...  scopes ...  keys kid1, kid2 (file)".
std::string Describe(const ClientConfig& client) {
  std::string scopes;
  for (const std::string& scope : client.scopes) scopes += (scopes.empty() ? "" : " ") + scope;
  std::string keys;
  auto loaded = ClientRegistry::LoadKeys(client);
  if (loaded.ok()) {
    for (const PublicJwk& key : *loaded) {
      keys += (keys.empty() ? "" : ", ") + key.key_id + " (" + key.algorithm + ")";
    }
  } else {
    keys = "unreadable: " + loaded.status().message();
  }
  std::string where = client.jwks_file.empty() ? "inline" : client.jwks_file;
  return client.client_id + "  organization NPI " + client.organization_npi + "  scopes " + scopes +
         "  keys " + keys + " from " + where;
}

}  // namespace

int RunClientsListCommand(const std::string& config_path, std::ostream& out, std::ostream& err) {
  auto config = LoadGatewayConfig(config_path);
  if (!config.ok()) return Fail(err, config.status());
  out << "auth mode " << config->auth.mode << "\n";
  if (config->auth.clients.empty()) out << "no clients are registered\n";
  for (const ClientConfig& client : config->auth.clients) out << Describe(client) << "\n";
  return kOk;
}

int RunClientsAddCommand(const std::string& config_path, const ClientConfig& client,
                         std::ostream& out, std::ostream& err) {
  auto keys = ClientRegistry::Create({client});
  if (!keys.ok()) return Fail(err, keys.status(), "not added: ");
  ConfigEditor editor(config_path);
  auto added = editor.Add(ConfigCollection::Clients(), ClientToJson(client));
  if (!added.ok()) {
    return Fail(err, added.status(), "not added; the configuration would be invalid:\n");
  }
  out << "added client " << client.client_id << " to " << config_path << "; " << kReloadHint
      << "\n";
  return kOk;
}

int RunClientsRemoveCommand(const std::string& config_path, const std::string& client_id,
                            std::ostream& out, std::ostream& err) {
  ConfigEditor editor(config_path);
  auto removed = editor.Remove(ConfigCollection::Clients(), client_id);
  if (!removed.ok()) return Fail(err, removed.status(), "not removed: ");
  out << "removed client " << client_id << " from " << config_path << "; " << kReloadHint
      << " (a reload also ends the client's live tokens)\n";
  return kOk;
}

}  // namespace duet::gateway
