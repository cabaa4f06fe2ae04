#include "gateway/cli/clients_command.h"

#include <ostream>

#include "fhir/json.h"
#include "gateway/auth/client_registry.h"
#include "gateway/cli/config_file.h"
#include "gateway/config/gateway_config.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr int kOk = 0;
constexpr int kUsage = 2;

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
  auto json = ReadConfigJson(config_path);
  if (!json.ok()) return Fail(err, json.status());
  Json* auth = json->Find("auth");
  if (auth == nullptr || !auth->is_object()) {
    return Fail(err, InvalidArgumentError("the file has no auth section; add one with "
                                          "\"mode\": \"smart\" first"));
  }
  Json* clients = auth->Find("clients");
  if (clients == nullptr) clients = &auth->Set("clients", Json::MakeArray());
  clients->Append(ClientToJson(client));
  Status written = WriteConfigJson(config_path, *json);
  if (!written.ok()) return Fail(err, written, "not added; the configuration would be invalid:\n");
  out << "added client " << client.client_id << " to " << config_path
      << "; restart the gateway to let it ask for tokens\n";
  return kOk;
}

int RunClientsRemoveCommand(const std::string& config_path, const std::string& client_id,
                            std::ostream& out, std::ostream& err) {
  auto json = ReadConfigJson(config_path);
  if (!json.ok()) return Fail(err, json.status());
  Json* auth = json->Find("auth");
  Json* clients = auth == nullptr ? nullptr : auth->Find("clients");
  bool removed = false;
  if (clients != nullptr && clients->is_array()) {
    auto& items = clients->items();
    for (auto it = items.begin(); it != items.end(); ++it) {
      if (it->StringOr("client_id") == client_id) {
        items.erase(it);
        removed = true;
        break;
      }
    }
  }
  if (!removed) return Fail(err, NotFoundError("no client is registered as \"" + client_id + "\""));
  Status written = WriteConfigJson(config_path, *json);
  if (!written.ok()) return Fail(err, written);
  out << "removed client " << client_id << " from " << config_path
      << "; its tokens stop working when the gateway restarts (at the latest when they expire)\n";
  return kOk;
}

}  // namespace duet::gateway
