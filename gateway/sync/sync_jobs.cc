#include "gateway/sync/sync_jobs.h"

#include "gateway/sync/endpoint_auth.h"
#include "gateway/sync/pull_medication_history_job.h"
#include "gateway/sync/pull_referrals_job.h"
#include "gateway/sync/push_care_plans_job.h"
#include "gateway/sync/push_referral_status_job.h"

namespace duet::gateway {
namespace {

// Posts a SMART token request through a client made for the token URL.
TokenEndpointCall TokenCallFor(const EndpointConfig& endpoint) {
  return [endpoint](const std::string& url,
                    const std::string& form) -> StatusOr<std::pair<int, std::string>> {
    fhir::FhirClientOptions options;
    options.base_url = url;
    options.ca_file = endpoint.tls.ca_file;
    options.client_certificate = endpoint.tls.client_certificate;
    options.client_key = endpoint.tls.client_key;
    options.timeout = std::chrono::seconds(endpoint.timeout_seconds);
    options.total_deadline = std::chrono::seconds(endpoint.timeout_seconds * 3);
    DUET_ASSIGN_OR_RETURN(auto client, fhir::FhirClient::Create(std::move(options)));
    fhir::FhirRequest request;
    request.method = "POST";
    request.body = form;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"Accept", "application/json"}};
    request.idempotent = true;  // a new assertion is minted per request; a repeat is harmless
    DUET_ASSIGN_OR_RETURN(fhir::FhirResponse response, client->Send(request));
    return std::make_pair(response.status, response.body);
  };
}

}  // namespace

StatusOr<std::unique_ptr<fhir::FhirClient>> MakeEndpointClient(const EndpointConfig& endpoint) {
  fhir::FhirClientOptions options;
  options.base_url = endpoint.base_url;
  options.ca_file = endpoint.tls.ca_file;
  options.client_certificate = endpoint.tls.client_certificate;
  options.client_key = endpoint.tls.client_key;
  options.timeout = std::chrono::seconds(endpoint.timeout_seconds);
  // A few quick retries per call; longer outages are the outbox's business (minutes to hours).
  options.retry.max_attempts = 3;
  options.retry.max_backoff = std::chrono::seconds(5);
  options.total_deadline = std::chrono::seconds(endpoint.timeout_seconds * 3 + 10);
  options.user_agent = std::string("duet/") + DUET_VERSION;
  options.authorization = MakeAuthorizationProvider(endpoint, TokenCallFor(endpoint));
  auto client = fhir::FhirClient::Create(std::move(options));
  if (!client.ok()) return client.status().WithContext("endpoint " + endpoint.name);
  return client;
}

StatusOr<SyncMachinery> BuildSyncMachinery(const GatewayConfig& config,
                                           const SyncContext& context) {
  SyncMachinery machinery;
  machinery.runner = std::make_unique<SyncRunner>(context.state, context.clock);
  for (const EndpointConfig& endpoint : config.endpoints) {
    DUET_ASSIGN_OR_RETURN(machinery.clients[endpoint.name], MakeEndpointClient(endpoint));
  }
  for (const JobConfig& job : config.jobs) {
    const EndpointConfig* endpoint = nullptr;
    for (const EndpointConfig& candidate : config.endpoints) {
      if (candidate.name == job.endpoint) endpoint = &candidate;
    }
    if (endpoint == nullptr) return InvalidArgumentError("job " + job.name + ": no endpoint");
    DUET_ASSIGN_OR_RETURN(JobSchedule schedule, JobSchedule::FromConfig(job));
    fhir::FhirClient& client = *machinery.clients[endpoint->name];
    if (job.kind == "push_care_plans") {
      machinery.runner->AddJob(
          job.name, std::move(schedule),
          std::make_unique<PushCarePlansJob>(job.name, *endpoint, context, client));
    } else if (job.kind == "pull_medication_history") {
      machinery.runner->AddJob(
          job.name, std::move(schedule),
          std::make_unique<PullMedicationHistoryJob>(job, *endpoint, context, client));
    } else if (job.kind == "pull_referrals") {
      machinery.runner->AddJob(
          job.name, std::move(schedule),
          std::make_unique<PullReferralsJob>(job.name, *endpoint, config.practice.organization_npi,
                                             context, client));
    } else if (job.kind == "push_referral_status") {
      machinery.runner->AddJob(
          job.name, std::move(schedule),
          std::make_unique<PushReferralStatusJob>(job.name, *endpoint, context, client));
    } else {
      return InvalidArgumentError("job " + job.name + ": kind " + job.kind +
                                  " is not available in this version");
    }
  }
  return machinery;
}

}  // namespace duet::gateway
