#include "gateway/cli/endpoints_command.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "fhir/client/fhir_client.h"
#include "fhir/json.h"
#include "gateway/cli/config_file.h"
#include "gateway/config/gateway_config.h"
#include "gateway/sync/partner_capabilities.h"
#include "gateway/sync/sync_jobs.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

std::string Describe(const EndpointConfig& endpoint) {
  std::string tls = endpoint.tls.client_certificate.empty() ? "TLS" : "mutual TLS";
  if (!endpoint.tls.ca_file.empty()) tls += " (CA " + endpoint.tls.ca_file + ")";
  std::string auth = endpoint.auth.method;
  if (auth == "bearer") auth += " (token in " + endpoint.auth.token_file + ")";
  if (auth == "smart") {
    auth += " (client " + endpoint.auth.client_id + ", " + endpoint.auth.algorithm + " key " +
            endpoint.auth.private_key_file + ", token URL " + endpoint.auth.token_url + ")";
  }
  return endpoint.name + "  " + endpoint.base_url + "  partner NPI " + endpoint.organization_npi +
         "  " + tls + "  auth " + auth + "  timeout " + std::to_string(endpoint.timeout_seconds) +
         "s";
}

}  // namespace

int RunEndpointsListCommand(const std::string& config_path, std::ostream& out, std::ostream& err) {
  auto config = LoadGatewayConfig(config_path);
  if (!config.ok()) {
    err << config.status().message() << "\n";
    return kUsage;
  }
  if (config->endpoints.empty()) out << "no endpoints are configured\n";
  for (const EndpointConfig& endpoint : config->endpoints) out << Describe(endpoint) << "\n";
  return kOk;
}

int RunEndpointsAddCommand(const std::string& config_path, const EndpointConfig& endpoint,
                           std::ostream& out, std::ostream& err) {
  auto json = ReadConfigJson(config_path);
  if (!json.ok()) {
    err << json.status().message() << "\n";
    return kUsage;
  }
  Json* endpoints = json->Find("endpoints");
  if (endpoints == nullptr) endpoints = &json->Set("endpoints", Json::MakeArray());
  endpoints->Append(EndpointToJson(endpoint));
  Status written = WriteConfigJson(config_path, *json);
  if (!written.ok()) {
    err << "not added; the configuration would be invalid:\n" << written.message() << "\n";
    return kUsage;
  }
  out << "added " << endpoint.name << " to " << config_path
      << "; restart the gateway (or send it SIGTERM and start it again) to use it\n";
  return kOk;
}

int RunEndpointsRemoveCommand(const std::string& config_path, const std::string& name,
                              std::ostream& out, std::ostream& err) {
  auto config = LoadGatewayConfig(config_path);
  auto json = ReadConfigJson(config_path);
  if (!config.ok() || !json.ok()) {
    err << (config.ok() ? json.status() : config.status()).message() << "\n";
    return kUsage;
  }
  for (const JobConfig& job : config->jobs) {
    if (job.endpoint == name) {
      err << "job " << job.name << " uses endpoint " << name
          << "; remove the job or point it elsewhere first\n";
      return kUsage;
    }
  }
  Json* endpoints = json->Find("endpoints");
  bool removed = false;
  if (endpoints != nullptr && endpoints->is_array()) {
    auto& items = endpoints->items();
    for (auto it = items.begin(); it != items.end(); ++it) {
      if (it->StringOr("name") == name) {
        items.erase(it);
        removed = true;
        break;
      }
    }
  }
  if (!removed) {
    err << "no endpoint is named \"" << name << "\"\n";
    return kUsage;
  }
  Status written = WriteConfigJson(config_path, *json);
  if (!written.ok()) {
    err << written.message() << "\n";
    return kUsage;
  }
  out << "removed " << name << " from " << config_path << "\n";
  return kOk;
}

int RunEndpointsTestCommand(const std::string& config_path, const std::string& name,
                            std::ostream& out, std::ostream& err) {
  auto config = LoadGatewayConfig(config_path);
  if (!config.ok()) {
    err << config.status().message() << "\n";
    return kUsage;
  }
  const EndpointConfig* endpoint = nullptr;
  for (const EndpointConfig& candidate : config->endpoints) {
    if (candidate.name == name) endpoint = &candidate;
  }
  if (endpoint == nullptr) {
    err << "no endpoint is named \"" << name << "\"\n";
    return kUsage;
  }
  out << "endpoint " << Describe(*endpoint) << "\n";
  auto client = MakeEndpointClient(*endpoint);
  if (!client.ok()) {
    out << "FAIL client: " << client.status().message() << "\n";
    return kFailed;
  }
  auto capabilities = (*client)->Capabilities();
  if (!capabilities.ok()) {
    out << "FAIL TLS/metadata: " << capabilities.status().message() << "\n";
    return kFailed;
  }
  const Json* software = capabilities->Find("software");
  out << "ok   TLS: " << endpoint->base_url << "/metadata answered a CapabilityStatement (FHIR "
      << capabilities->StringOr("fhirVersion") << ", "
      << (software ? std::string(software->StringOr("name")) + " " +
                         std::string(software->StringOr("version"))
                   : std::string("software not named"))
      << ")\n";
  auto probe = (*client)->Send("GET", "CarePlan?_count=1");
  bool authorized = probe.ok() && probe->status >= 200 && probe->status < 300;
  out << (authorized ? "ok   " : "FAIL ") << "auth (" << endpoint->auth.method
      << "): GET CarePlan?_count=1 answered "
      << (probe.ok() ? "HTTP " + std::to_string(probe->status) : probe.status().message()) << "\n";
  struct Need {
    std::string what;
    std::string type;
    std::string interaction;
    std::string parameter;
  };
  for (const Need& need : std::vector<Need>{
           {"transaction Bundles", "", "transaction", ""},
           {"CarePlan update (conditional upserts)", "CarePlan", "update", ""},
           {"ServiceRequest _lastUpdated search", "ServiceRequest", "", "_lastUpdated"},
           {"Task update", "Task", "update", ""}}) {
    bool supported = CapabilityListed(*capabilities, need.type, need.interaction, need.parameter);
    out << (supported ? "ok   " : "warn ") << need.what
        << (supported ? "" : ": not listed in the CapabilityStatement") << "\n";
  }
  return authorized ? kOk : kFailed;
}

}  // namespace duet::gateway
