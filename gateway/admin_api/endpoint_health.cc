#include "gateway/admin_api/endpoint_health.h"

#include <map>
#include <utility>

namespace duet::gateway {
namespace {

using fhir::Json;

// The certificate members both a check and a kept health carry.
void SetCertificate(Json& json, const EndpointCertificate& certificate) {
  json.Set("subject", Json::String(certificate.subject));
  if (!certificate.issuer.empty()) json.Set("issuer", Json::String(certificate.issuer));
  json.Set("expires", Json::String(certificate.expires));
  json.Set("expires_at", Json::Integer(certificate.expires_at));
  json.Set("days_left", Json::Integer(certificate.days_left));
}

Json LastCheckJson(const EndpointHealth& health, int64_t now) {
  Json json = Json::MakeObject();
  json.Set("checked_at", Json::Integer(health.checked_at));
  json.Set("ok", Json::Bool(health.ok));
  json.Set("message", Json::String(health.message));
  if (!health.certificate_subject.empty() || health.certificate_expires_at != 0) {
    fhir::PeerCertificate peer{health.certificate_subject, "", health.certificate_expires_at};
    Json certificate = Json::MakeObject();
    SetCertificate(certificate, DescribeCertificate(peer, now));
    json.Set("certificate", std::move(certificate));
  }
  return json;
}

}  // namespace

Json JobRunJson(const JobRun& run) {
  Json json = Json::MakeObject();
  json.Set("started_at", Json::Integer(run.started_at));
  json.Set("finished_at", Json::Integer(run.finished_at));
  json.Set("outcome", Json::String(run.outcome));
  json.Set("message", Json::String(run.message));
  json.Set("sent", Json::Integer(run.sent));
  json.Set("received", Json::Integer(run.received));
  json.Set("failed", Json::Integer(run.failed));
  return json;
}

Json EndpointCheckJson(const std::string& endpoint, const EndpointCheckReport& report,
                       int64_t checked_at) {
  Json checks = Json::MakeArray();
  for (const EndpointCheck& check : report.checks) {
    Json item = Json::MakeObject();
    item.Set("outcome", Json::String(check.outcome));
    item.Set("check", Json::String(check.what));
    item.Set("detail", Json::String(check.detail));
    checks.Append(std::move(item));
  }
  Json body = Json::MakeObject();
  body.Set("endpoint", Json::String(endpoint));
  body.Set("ok", Json::Bool(report.ok()));
  body.Set("checked_at", Json::Integer(checked_at));
  body.Set("checks", std::move(checks));
  if (report.certificate) {
    Json certificate = Json::MakeObject();
    SetCertificate(certificate, *report.certificate);
    body.Set("certificate", std::move(certificate));
  }
  return body;
}

EndpointHealth HealthOfCheck(const std::string& endpoint, const EndpointCheckReport& report,
                             int64_t checked_at) {
  EndpointHealth health;
  health.endpoint = endpoint;
  health.checked_at = checked_at;
  health.ok = report.ok();
  for (const char* outcome : {"fail", "warn"}) {
    for (const EndpointCheck& check : report.checks) {
      if (health.message.empty() && check.outcome == outcome) {
        health.message = check.what + (check.detail.empty() ? "" : ": " + check.detail);
      }
    }
  }
  if (report.certificate) {
    health.certificate_subject = report.certificate->subject;
    health.certificate_expires_at = report.certificate->expires_at;
  }
  return health;
}

StatusOr<Json> EndpointsHealthJson(const GatewayConfig& config, SyncStateStore& state,
                                   int64_t now) {
  DUET_ASSIGN_OR_RETURN(std::vector<EndpointHealth> checks, state.EndpointChecks());
  std::map<std::string, const EndpointHealth*> by_endpoint;
  for (const EndpointHealth& check : checks) by_endpoint[check.endpoint] = &check;
  Json health = Json::MakeObject();
  for (const EndpointConfig& endpoint : config.endpoints) {
    Json entry = Json::MakeObject();
    if (auto found = by_endpoint.find(endpoint.name); found != by_endpoint.end()) {
      entry.Set("last_check", LastCheckJson(*found->second, now));
    }
    Json jobs = Json::MakeArray();
    for (const JobConfig& job : config.jobs) {
      if (job.endpoint != endpoint.name) continue;
      DUET_ASSIGN_OR_RETURN(JobState job_state, state.LoadJob(job.name));
      Json item = Json::MakeObject();
      item.Set("name", Json::String(job.name));
      item.Set("kind", Json::String(job.kind));
      if (job_state.last_run) item.Set("last_run", JobRunJson(*job_state.last_run));
      jobs.Append(std::move(item));
    }
    entry.Set("jobs", std::move(jobs));
    health.Set(endpoint.name, std::move(entry));
  }
  return health;
}

}  // namespace duet::gateway
