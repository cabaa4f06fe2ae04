// The composition root: parses the command line and runs one command.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <string>
#include <tuple>
#include <vector>

#include "gateway/cli/audit_command.h"
#include "gateway/cli/backup_command.h"
#include "gateway/cli/clients_command.h"
#include "gateway/cli/convert_command.h"
#include "gateway/cli/endpoints_command.h"
#include "gateway/cli/sync_command.h"
#include "gateway/cli/validate_command.h"
#include "gateway/config/gateway_config.h"
#include "gateway/server/serve_command.h"

#ifdef DUET_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

#ifndef DUET_VERSION
#define DUET_VERSION "unknown"
#endif

namespace {

constexpr int kUsageError = 2;

// The identifier base of the example configuration, for conversions run without one.
constexpr char kDefaultIdentifierBase[] = "https://sunrise-pt.example/sid";

// practice.identifier_base from --identifier-base, else from --config, else the default.
bool ResolveIdentifierBase(const std::string& flag, const std::string& config_path,
                           std::string* base) {
  if (!flag.empty()) {
    *base = flag;
    return true;
  }
  if (config_path.empty()) {
    *base = kDefaultIdentifierBase;
    return true;
  }
  auto config = duet::gateway::LoadGatewayConfig(config_path);
  if (!config.ok()) {
    std::cerr << "cannot read " << config_path << ": " << config.status().message() << "\n";
    return false;
  }
  *base = config->practice.identifier_base;
  return true;
}

// The memory allocator this binary was linked with (cmake/DuetAllocator.cmake), for `duet version`.
std::string AllocatorName() {
#ifdef DUET_WITH_JEMALLOC
  const char* version = nullptr;
  size_t size = sizeof(version);
  if (mallctl("version", static_cast<void*>(&version), &size, nullptr, 0) == 0) {
    return std::string("jemalloc ") + version;
  }
  return "jemalloc";
#else
  return "glibc malloc";
#endif
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Duet: FHIR R4 integration gateway for rehab therapy practices"};
  app.require_subcommand(1);

  std::string config_path;
  auto* serve = app.add_subcommand("serve", "Serve the FHIR API over HTTPS until SIGTERM/SIGINT");
  serve->add_option("--config", config_path, "Configuration file (JSON)")->required();

  std::string validate_input = "-";
  auto* validate = app.add_subcommand(
      "validate",
      "Check a PRF record or a FHIR resource or Bundle; prints OK or one problem a line");
  validate->add_option("input", validate_input, "File to check, or - for stdin (the default)");

  std::string convert_input = "-";
  std::string convert_config;
  std::string identifier_base;
  auto* convert = app.add_subcommand("convert", "Convert practice records to FHIR and back");
  convert->require_subcommand(1);
  convert->add_option("--config", convert_config,
                      "Configuration file whose practice.identifier_base to use");
  convert->add_option(
      "--identifier-base", identifier_base,
      std::string("Practice identifier base (default ") + kDefaultIdentifierBase + ")");
  auto* to_fhir = convert->add_subcommand(
      "to-fhir", "PRF record or batch to a FHIR transaction Bundle of conditional upserts");
  to_fhir->add_option("input", convert_input, "File, or - for stdin (the default)");
  auto* to_practice = convert->add_subcommand(
      "to-practice", "FHIR resource or Bundle to PRF records (a batch when more than one)");
  to_practice->add_option("input", convert_input, "File, or - for stdin (the default)");

  std::string sync_config;
  std::vector<std::string> sync_jobs;
  std::string sync_endpoint;
  std::string retry_job;
  auto* sync =
      app.add_subcommand("sync", "Run sync jobs now, show their status, retry dead letters");
  sync->require_subcommand(1);
  sync->add_option("--config", sync_config, "Configuration file (JSON)")->required();
  auto* sync_run =
      sync->add_subcommand("run", "Run jobs now (all configured jobs when none named)");
  sync_run->add_option("jobs", sync_jobs, "Job names, or job kinds with --endpoint");
  sync_run->add_option("--endpoint", sync_endpoint, "Only this endpoint's jobs; or ad hoc target");
  auto* sync_status = sync->add_subcommand("status", "Last and next run, counts, dead letters");
  auto* sync_retry = sync->add_subcommand("retry", "Queue dead letters again");
  sync_retry->add_option("job", retry_job, "Only this job's dead letters");
  for (CLI::App* child : {sync_run, sync_status, sync_retry}) child->fallthrough();

  std::string endpoints_config;
  std::string endpoint_name;
  duet::gateway::EndpointConfig new_endpoint;
  auto* endpoints = app.add_subcommand("endpoints", "Partner FHIR endpoints in the config file");
  endpoints->require_subcommand(1);
  endpoints->add_option("--config", endpoints_config, "Configuration file (JSON)")->required();
  auto* endpoints_list = endpoints->add_subcommand("list", "List endpoints (never secrets)");
  auto* endpoints_add = endpoints->add_subcommand("add", "Add an endpoint");
  endpoints_add->add_option("--name", new_endpoint.name, "Endpoint name")->required();
  endpoints_add->add_option("--base-url", new_endpoint.base_url, "FHIR base URL")->required();
  endpoints_add
      ->add_option("--organization-npi", new_endpoint.organization_npi,
                   "The partner organization's NPI")
      ->required();
  endpoints_add->add_option("--timeout", new_endpoint.timeout_seconds, "Seconds per attempt");
  endpoints_add->add_option("--ca-file", new_endpoint.tls.ca_file, "CA bundle (PEM)");
  endpoints_add->add_option("--client-certificate", new_endpoint.tls.client_certificate,
                            "Client certificate for mutual TLS (PEM)");
  endpoints_add->add_option("--client-key", new_endpoint.tls.client_key, "Its key (PEM)");
  endpoints_add->add_option("--auth", new_endpoint.auth.method, "none, bearer or smart");
  endpoints_add->add_option("--token-file", new_endpoint.auth.token_file, "bearer: token file");
  endpoints_add->add_option("--client-id", new_endpoint.auth.client_id, "smart: client id");
  endpoints_add->add_option("--token-url", new_endpoint.auth.token_url, "smart: token URL");
  endpoints_add->add_option("--private-key-file", new_endpoint.auth.private_key_file,
                            "smart: signing key (PEM)");
  endpoints_add->add_option("--kid", new_endpoint.auth.key_id, "smart: key id");
  endpoints_add->add_option("--algorithm", new_endpoint.auth.algorithm, "smart: ES384 or RS384");
  endpoints_add->add_option("--scopes", new_endpoint.auth.scopes, "smart: system/ scopes");
  auto* endpoints_remove = endpoints->add_subcommand("remove", "Remove an endpoint no job uses");
  endpoints_remove->add_option("name", endpoint_name, "Endpoint name")->required();
  auto* endpoints_test = endpoints->add_subcommand("test", "Check TLS, auth and capabilities");
  endpoints_test->add_option("name", endpoint_name, "Endpoint name")->required();
  for (CLI::App* child : {endpoints_list, endpoints_add, endpoints_remove, endpoints_test}) {
    child->fallthrough();
  }

  std::string clients_config;
  std::string client_id;
  duet::gateway::ClientConfig new_client;
  auto* clients = app.add_subcommand("clients", "SMART clients (partner EHRs) in the config file");
  clients->require_subcommand(1);
  clients->add_option("--config", clients_config, "Configuration file (JSON)")->required();
  auto* clients_list = clients->add_subcommand("list", "List clients and their key ids");
  auto* clients_add = clients->add_subcommand("add", "Register a client");
  clients_add->add_option("--client-id", new_client.client_id, "Client id (iss/sub)")->required();
  clients_add
      ->add_option("--organization-npi", new_client.organization_npi,
                   "The partner organization's NPI")
      ->required();
  clients_add->add_option("--scope", new_client.scopes, "Allowed system/ scope (repeat)")
      ->required();
  clients_add->add_option("--jwks-file", new_client.jwks_file, "The client's public keys (JWKS)")
      ->required();
  auto* clients_remove = clients->add_subcommand("remove", "Remove a client");
  clients_remove->add_option("client_id", client_id, "Client id")->required();
  for (CLI::App* child : {clients_list, clients_add, clients_remove}) child->fallthrough();

  std::string audit_config;
  duet::gateway::AuditCommandOptions audit_options;
  auto* audit = app.add_subcommand("audit", "Read the audit trail of accesses to patient data");
  audit->add_option("--config", audit_config, "Configuration file (JSON)")->required();
  // Each flag becomes the GET /admin/v1/audit parameter of the same meaning, so both share one
  // query parser and its checks.
  for (const auto& [flag, parameter, help] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"--patient", "patient", "Only events touching this patient id"},
           {"--client", "client", "Only this client id (or development, unauthenticated)"},
           {"--since", "since", "Recorded at or after (FHIR date or instant)"},
           {"--until", "until", "Recorded before (a date includes that whole day)"},
           {"--interaction", "interaction", "Only this interaction (read, search-type, ...)"},
           {"--outcome", "outcome", "Only this outcome (0, 4, 8, 12)"},
           {"--limit", "_count", "At most this many events (default 50)"}}) {
    std::string name = parameter;
    audit->add_option_function<std::string>(
        flag,
        [name, &audit_options](const std::string& value) {
          audit_options.params.emplace_back(name, value);
        },
        help);
  }
  audit->add_flag("--json", audit_options.json, "Print the FHIR searchset Bundle");
  std::string backup_config;
  std::string backup_to;
  auto* backup = app.add_subcommand(
      "backup", "Copy the store consistently (also while serving) to a new file and check it");
  backup->add_option("--config", backup_config, "Configuration file (JSON)")->required();
  backup->add_option("--to", backup_to, "The new file; an existing one is never overwritten")
      ->required();

  app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kUsageError;
  }

  if (serve->parsed()) return duet::gateway::RunServeCommand(config_path);
  if (validate->parsed()) {
    return duet::gateway::RunValidateCommand(validate_input, std::cin, std::cout, std::cerr);
  }
  if (convert->parsed()) {
    std::string base;
    if (!ResolveIdentifierBase(identifier_base, convert_config, &base)) return kUsageError;
    auto direction = to_fhir->parsed() ? duet::gateway::ConvertDirection::kToFhir
                                       : duet::gateway::ConvertDirection::kToPractice;
    return duet::gateway::RunConvertCommand(direction, convert_input, base, std::cin, std::cout,
                                            std::cerr);
  }
  if (endpoints->parsed()) {
    using namespace duet::gateway;
    if (endpoints_list->parsed())
      return RunEndpointsListCommand(endpoints_config, std::cout, std::cerr);
    if (endpoints_add->parsed()) {
      for (std::string* path : {&new_endpoint.tls.ca_file, &new_endpoint.tls.client_certificate,
                                &new_endpoint.tls.client_key, &new_endpoint.auth.token_file,
                                &new_endpoint.auth.private_key_file}) {
        if (!path->empty()) *path = std::filesystem::absolute(*path).lexically_normal().string();
      }
      return RunEndpointsAddCommand(endpoints_config, new_endpoint, std::cout, std::cerr);
    }
    if (endpoints_remove->parsed()) {
      return RunEndpointsRemoveCommand(endpoints_config, endpoint_name, std::cout, std::cerr);
    }
    return RunEndpointsTestCommand(endpoints_config, endpoint_name, std::cout, std::cerr);
  }
  if (clients->parsed()) {
    using namespace duet::gateway;
    if (clients_list->parsed()) return RunClientsListCommand(clients_config, std::cout, std::cerr);
    if (clients_add->parsed()) {
      new_client.jwks_file = std::filesystem::absolute(new_client.jwks_file).lexically_normal();
      return RunClientsAddCommand(clients_config, new_client, std::cout, std::cerr);
    }
    return RunClientsRemoveCommand(clients_config, client_id, std::cout, std::cerr);
  }
  if (audit->parsed()) {
    return duet::gateway::RunAuditCommand(audit_config, audit_options, std::cout, std::cerr);
  }
  if (backup->parsed()) {
    return duet::gateway::RunBackupCommand(backup_config, backup_to, std::cout, std::cerr);
  }
  if (sync->parsed()) {
    if (sync_run->parsed()) {
      return duet::gateway::RunSyncRunCommand(sync_config, sync_jobs, sync_endpoint, std::cout,
                                              std::cerr);
    }
    if (sync_status->parsed()) {
      return duet::gateway::RunSyncStatusCommand(sync_config, std::cout, std::cerr);
    }
    return duet::gateway::RunSyncRetryCommand(sync_config, retry_job, std::cout, std::cerr);
  }
  std::cout << "duet " << DUET_VERSION << "\nmemory allocator: " << AllocatorName() << "\n";
  return 0;
}
