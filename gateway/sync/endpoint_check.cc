#include "gateway/sync/endpoint_check.h"

#include "fhir/client/fhir_client.h"
#include "fhir/json.h"
#include "gateway/sync/partner_capabilities.h"
#include "gateway/sync/sync_jobs.h"

namespace duet::gateway {
namespace {

using fhir::Json;

std::string SoftwareOf(const Json& capabilities) {
  const Json* software = capabilities.Find("software");
  if (software == nullptr) return "software not named";
  return std::string(software->StringOr("name")) + " " + std::string(software->StringOr("version"));
}

// What the sync jobs rely on, as the CapabilityStatement lists it.
void AddCapabilityChecks(const Json& capabilities, EndpointCheckReport& report) {
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
    bool supported = CapabilityListed(capabilities, need.type, need.interaction, need.parameter);
    report.checks.push_back({supported ? "ok" : "warn", need.what,
                             supported ? "" : "not listed in the CapabilityStatement"});
  }
}

}  // namespace

bool EndpointCheckReport::ok() const {
  for (const EndpointCheck& check : checks) {
    if (check.outcome == "fail") return false;
  }
  return true;
}

EndpointCheckReport CheckEndpoint(const EndpointConfig& endpoint) {
  EndpointCheckReport report;
  auto client = MakeEndpointClient(endpoint);
  if (!client.ok()) {
    report.checks.push_back({"fail", "client", client.status().message()});
    return report;
  }
  auto capabilities = (*client)->Capabilities();
  if (!capabilities.ok()) {
    report.checks.push_back({"fail", "TLS/metadata", capabilities.status().message()});
    return report;
  }
  report.checks.push_back({"ok", "TLS",
                           endpoint.base_url + "/metadata answered a CapabilityStatement (FHIR " +
                               std::string(capabilities->StringOr("fhirVersion")) + ", " +
                               SoftwareOf(*capabilities) + ")"});
  auto probe = (*client)->Send("GET", "CarePlan?_count=1");
  bool authorized = probe.ok() && probe->status >= 200 && probe->status < 300;
  report.checks.push_back(
      {authorized ? "ok" : "fail", "auth (" + endpoint.auth.method + ")",
       "GET CarePlan?_count=1 answered " +
           (probe.ok() ? "HTTP " + std::to_string(probe->status) : probe.status().message())});
  AddCapabilityChecks(*capabilities, report);
  return report;
}

std::string DescribeEndpoint(const EndpointConfig& endpoint) {
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

}  // namespace duet::gateway
