#include "gateway/cli/sync_command.h"

#include <ctime>
#include <ostream>

#include "fhir/validation/validator.h"
#include "gateway/audit/auditing_store.h"
#include "gateway/config/gateway_config.h"
#include "gateway/fhir_api/fhir_rest_handler.h"
#include "gateway/store/serving_lock.h"
#include "gateway/store/sqlite_audit_log.h"
#include "gateway/store/sqlite_resource_store.h"
#include "gateway/store/sqlite_sync_state_store.h"
#include "gateway/sync/sync_jobs.h"
#include "gateway/workflow/workflow_rules.h"

namespace duet::gateway {
namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

std::string FormatTime(int64_t seconds) {
  if (seconds <= 0) return "never";
  if (seconds == std::numeric_limits<int64_t>::max()) return "never again";
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

struct Opened {
  GatewayConfig config;
  std::unique_ptr<SqliteResourceStore> store;
  // The audit trail of the jobs' exchanges, and the store the FHIR API writes through so that
  // an import carries its record (as `duet serve` has them).
  std::unique_ptr<SqliteAuditLog> audit_log;
  std::unique_ptr<AuditingResourceStore> audited_store;
  std::unique_ptr<SqliteSyncStateStore> state;
  // The FHIR API that jobs write through, as `duet serve` mounts it (with the workflow rules).
  std::unique_ptr<fhir::Validator> validator;
  std::unique_ptr<WorkflowRules> rules;
  std::unique_ptr<FhirRestHandler> fhir_api;
};

StatusOr<Opened> Open(const std::string& config_path, bool with_resources) {
  Opened opened;
  DUET_ASSIGN_OR_RETURN(opened.config, LoadGatewayConfig(config_path));
  if (with_resources) {
    SqliteResourceStore::Options options;
    options.read_cache_bytes = 0;  // another process (the gateway) may write meanwhile
    DUET_ASSIGN_OR_RETURN(opened.store,
                          SqliteResourceStore::Open(opened.config.store.path, std::move(options)));
    DUET_ASSIGN_OR_RETURN(opened.audit_log,
                          SqliteAuditLog::Open(opened.config.store.path, opened.store.get()));
    opened.audited_store = std::make_unique<AuditingResourceStore>(*opened.store);
    opened.validator = std::make_unique<fhir::Validator>();
    opened.rules = std::make_unique<WorkflowRules>(
        mappings::MappingContext{opened.config.practice.identifier_base});
    FhirApiOptions fhir_options;
    fhir_options.public_fhir_base = opened.config.fhir.base_url;
    fhir_options.software_version = DUET_VERSION;
    opened.fhir_api = std::make_unique<FhirRestHandler>(
        *opened.audited_store, *opened.validator, std::move(fhir_options), opened.rules.get());
  }
  DUET_ASSIGN_OR_RETURN(opened.state, SqliteSyncStateStore::Open(opened.config.store.path));
  return opened;
}

void PrintRun(const JobRun& run, std::ostream& out) {
  out << run.job << ": " << run.outcome << " - " << run.message << " (sent " << run.sent
      << ", received " << run.received << ", failed " << run.failed << ", "
      << (run.finished_at - run.started_at) << " s)\n";
}

// The jobs to run: the named ones, or kinds run ad hoc against `endpoint`, or all.
StatusOr<std::vector<std::string>> SelectJobs(GatewayConfig& config,
                                              const std::vector<std::string>& requested,
                                              const std::string& endpoint) {
  std::vector<std::string> names;
  for (const std::string& name : requested) {
    bool configured = false;
    for (const JobConfig& job : config.jobs) configured = configured || job.name == name;
    if (configured) {
      names.push_back(name);
      continue;
    }
    bool kind = false;
    for (const char* known : kJobKinds) kind = kind || name == known;
    if (!kind) return NotFoundError("no sync job or job kind is named \"" + name + "\"");
    if (endpoint.empty()) {
      return InvalidArgumentError("to run " + name + " ad hoc, name the endpoint: --endpoint NAME");
    }
    JobConfig ad_hoc;
    ad_hoc.name = name + "@" + endpoint;
    ad_hoc.kind = name;
    ad_hoc.endpoint = endpoint;
    ad_hoc.every_seconds = 86400;
    config.jobs.push_back(ad_hoc);
    names.push_back(ad_hoc.name);
  }
  if (!endpoint.empty()) {
    bool exists = false;
    for (const EndpointConfig& candidate : config.endpoints) exists |= candidate.name == endpoint;
    if (!exists) return NotFoundError("no endpoint is named \"" + endpoint + "\"");
  }
  if (requested.empty()) {
    for (const JobConfig& job : config.jobs) {
      if (endpoint.empty() || job.endpoint == endpoint) names.push_back(job.name);
    }
  }
  return names;
}

// Jobs that store what they pull must not write beside a serving gateway (its read cache would
// not see their writes): they are left to the gateway's own schedule.
Status CheckNotServing(const GatewayConfig& config, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    for (const JobConfig& job : config.jobs) {
      if (job.name != name || !JobWritesResources(job.kind)) continue;
      DUET_ASSIGN_OR_RETURN(bool serving, ServingLock::IsHeld(config.store.path));
      if (!serving) return Status::Ok();
      return FailedPreconditionError(
          name + ": a gateway is serving " + config.store.path + " and runs " + job.kind +
          " jobs on their schedule; this command cannot run them beside it (stop the gateway "
          "first, or wait for the job's next run)");
    }
  }
  return Status::Ok();
}

}  // namespace

int RunSyncRunCommand(const std::string& config_path, const std::vector<std::string>& jobs,
                      const std::string& endpoint, std::ostream& out, std::ostream& err) {
  auto opened = Open(config_path, true);
  if (!opened.ok()) {
    err << opened.status().message() << "\n";
    return kUsage;
  }
  auto names = SelectJobs(opened->config, jobs, endpoint);
  if (!names.ok()) {
    err << names.status().message() << "\n";
    return kUsage;
  }
  if (names->empty()) {
    err << "no sync jobs are configured in " << config_path << "\n";
    return kUsage;
  }
  if (Status free = CheckNotServing(opened->config, *names); !free.ok()) {
    err << free.message() << "\n";
    return kFailed;
  }
  SyncContext context{
      *opened->store,     *opened->state,
      *opened->fhir_api,  mappings::MappingContext{opened->config.practice.identifier_base},
      SystemClockSeconds, *opened->audit_log};
  auto machinery = BuildSyncMachinery(opened->config, context);
  if (!machinery.ok()) {
    err << machinery.status().message() << "\n";
    return kUsage;
  }
  int result = kOk;
  for (const std::string& name : *names) {
    auto run = machinery->runner->RunNow(name);
    if (!run.ok()) {
      err << name << ": " << run.status().message() << "\n";
      result = kFailed;
      continue;
    }
    PrintRun(*run, out);
    if (run->outcome != "ok") result = kFailed;  // failed, or partial: some items failed
  }
  machinery->runner.reset();
  return result;
}

int RunSyncStatusCommand(const std::string& config_path, std::ostream& out, std::ostream& err) {
  auto opened = Open(config_path, false);
  if (!opened.ok()) {
    err << opened.status().message() << "\n";
    return kUsage;
  }
  int result = kOk;
  for (const JobConfig& job : opened->config.jobs) {
    auto state = opened->state->LoadJob(job.name);
    auto pending = opened->state->Items(job.name, "pending");
    auto dead = opened->state->Items(job.name, "dead");
    if (!state.ok() || !pending.ok() || !dead.ok()) {
      err << job.name << ": cannot read its state\n";
      return kUsage;
    }
    out << job.name << " (" << job.kind << " to " << job.endpoint << ", "
        << (job.cron.empty() ? "every " + std::to_string(job.every_seconds) + "s"
                             : "cron " + job.cron)
        << ")\n";
    if (state->last_run) {
      const JobRun& run = *state->last_run;
      out << "  last run: " << FormatTime(run.started_at) << " " << run.outcome << " - "
          << run.message << " (sent " << run.sent << ", received " << run.received << ", failed "
          << run.failed << ")\n";
    } else {
      out << "  last run: never\n";
    }
    out << "  next run: " << (state->next_run_at == 0 ? "at start" : FormatTime(state->next_run_at))
        << "\n  waiting: " << pending->size() << "\n";
    for (const OutboxItem& item : *pending) {
      if (item.attempts == 0) continue;  // not tried yet
      out << "    " << item.key << " after " << item.attempts << " attempt(s), next try "
          << FormatTime(item.next_attempt_at) << ": " << item.last_error << "\n";
    }
    out << "  dead letters: " << dead->size() << "\n";
    for (const OutboxItem& item : *dead) {
      out << "    " << item.key << " after " << item.attempts << " attempt(s): " << item.last_error
          << "\n";
      result = kFailed;
    }
  }
  if (opened->config.jobs.empty()) out << "no sync jobs are configured\n";
  return result;
}

int RunSyncRetryCommand(const std::string& config_path, const std::string& job, std::ostream& out,
                        std::ostream& err) {
  auto opened = Open(config_path, false);
  if (!opened.ok()) {
    err << opened.status().message() << "\n";
    return kUsage;
  }
  auto retried = opened->state->RetryDead(job, SystemClockSeconds());
  if (!retried.ok()) {
    err << retried.status().message() << "\n";
    return kUsage;
  }
  out << *retried << " dead letter(s) queued again" << (job.empty() ? "" : " for " + job)
      << "; they go out at the job's next run (or now: duet sync run"
      << (job.empty() ? "" : " " + job) << ")\n";
  return kOk;
}

}  // namespace duet::gateway
