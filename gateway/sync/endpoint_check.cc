#include "gateway/sync/endpoint_check.h"

#include "fhir/client/fhir_client.h"
#include "fhir/client/http_error.h"
#include "fhir/json.h"
#include "fhir/search/date_range.h"
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

// GET [base]/metadata on a new connection, with the server's certificate; the CapabilityStatement.
StatusOr<Json> FetchCapabilities(fhir::FhirClient& client, EndpointCheckReport& report,
                                 int64_t now) {
  fhir::FhirRequest request;
  request.path = "metadata";
  request.capture_peer_certificate = true;
  DUET_ASSIGN_OR_RETURN(fhir::FhirResponse response, client.Send(request));
  if (response.peer_certificate) {
    report.certificate = DescribeCertificate(*response.peer_certificate, now);
  }
  DUET_RETURN_IF_ERROR(fhir::HttpErrorStatus("GET", response));
  auto capabilities = fhir::ParseJson(response.body);
  if (!capabilities.ok()) {
    return InternalError("GET " + response.url +
                         ": the answer is not JSON: " + capabilities.status().message());
  }
  return capabilities;
}

}  // namespace

EndpointCertificate DescribeCertificate(const fhir::PeerCertificate& peer, int64_t now) {
  EndpointCertificate certificate;
  certificate.subject = peer.subject;
  certificate.issuer = peer.issuer;
  certificate.expires_at = peer.not_after;
  if (peer.not_after > 0) {
    std::string instant = fhir::FormatInstantMillis(peer.not_after * 1000);  // ...ss.000Z
    certificate.expires = instant.substr(0, instant.size() - 5) + "Z";
    int64_t seconds_left = peer.not_after - now;
    certificate.days_left =
        seconds_left >= 0 ? seconds_left / 86400 : -((-seconds_left + 86399) / 86400);
  }
  return certificate;
}

EndpointCheck CertificateCheck(const EndpointCertificate& certificate) {
  const std::string what = "server certificate";
  if (certificate.expires_at == 0) {
    return {"warn", what, certificate.subject + ": its expiry date could not be read"};
  }
  std::string detail = certificate.subject + " (issued by " + certificate.issuer + ") expires " +
                       certificate.expires;
  if (certificate.days_left < 0) return {"fail", what, detail + ": expired"};
  detail += ", in " + std::to_string(certificate.days_left) + " day(s)";
  if (certificate.days_left < kCertificateWarningDays) {
    return {"warn", what,
            detail + ": less than " + std::to_string(kCertificateWarningDays) +
                " days left; ask the partner for its renewed certificate"};
  }
  return {"ok", what, detail};
}

bool EndpointCheckReport::ok() const {
  for (const EndpointCheck& check : checks) {
    if (check.outcome == "fail") return false;
  }
  return true;
}

EndpointCheckReport CheckEndpoint(const EndpointConfig& endpoint, int64_t now) {
  EndpointCheckReport report;
  auto client = MakeEndpointClient(endpoint);
  if (!client.ok()) {
    report.checks.push_back({"fail", "client", client.status().message()});
    return report;
  }
  auto capabilities = FetchCapabilities(**client, report, now);
  if (!capabilities.ok()) {
    report.checks.push_back({"fail", "TLS/metadata", capabilities.status().message()});
    if (report.certificate) report.checks.push_back(CertificateCheck(*report.certificate));
    return report;
  }
  report.checks.push_back({"ok", "TLS",
                           endpoint.base_url + "/metadata answered a CapabilityStatement (FHIR " +
                               std::string(capabilities->StringOr("fhirVersion")) + ", " +
                               SoftwareOf(*capabilities) + ")"});
  if (report.certificate) report.checks.push_back(CertificateCheck(*report.certificate));
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
