#include "gateway/server/serve_command.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <strings.h>

#include <chrono>

#include "fhir/validation/validator.h"
#include "gateway/admin_api/admin_api_handler.h"
#include "gateway/admin_api/admin_config_api.h"
#include "gateway/admin_api/audit_route.h"
#include "gateway/admin_api/config_editor.h"
#include "gateway/admin_api/console_assets.h"
#include "gateway/admin_api/console_handler.h"
#include "gateway/audit/audit_retention.h"
#include "gateway/audit/audited_fhir_api.h"
#include "gateway/audit/auditing_store.h"
#include "gateway/audit/read_noting_store.h"
#include "gateway/auth/access_tokens.h"
#include "gateway/auth/client_registry.h"
#include "gateway/auth/fhir_authorizer.h"
#include "gateway/auth/partner_visible_store.h"
#include "gateway/auth/rate_limit_key.h"
#include "gateway/auth/smart_auth_handler.h"
#include "gateway/auth/static_bearer_gate.h"
#include "gateway/auth/token_service.h"
#include "gateway/config/gateway_config.h"
#include "gateway/fhir_api/fhir_rest_handler.h"
#include "gateway/http/cpprest_http_server.h"
#include "gateway/http/rate_limit_gate.h"
#include "gateway/http/router.h"
#include "gateway/practice_api/practice_api_handler.h"
#include "gateway/practice_api/practice_audit.h"
#include "gateway/server/gateway_metrics.h"
#include "gateway/server/health_handler.h"
#include "gateway/server/live_configuration.h"
#include "gateway/server/logging.h"
#include "gateway/server/metrics_handler.h"
#include "gateway/server/ready_handler.h"
#include "gateway/server/shutdown_signals.h"
#include "gateway/store/serving_lock.h"
#include "gateway/store/sqlite_audit_log.h"
#include "gateway/store/sqlite_replay_cache.h"
#include "gateway/store/sqlite_resource_store.h"
#include "gateway/store/sqlite_sync_state_store.h"
#include "gateway/sync/sync_service.h"
#include "gateway/tls/tls_settings.h"
#include "gateway/workflow/workflow_rules.h"

namespace duet::gateway {
namespace {

// Everything the mounted handlers use, owned here so that it outlives the HTTP server and is
// closed only after the server has stopped.
struct Services {
  // Shared with the HTTP observer and the handlers; outlives this struct.
  std::shared_ptr<GatewayMetrics> metrics;
  std::shared_ptr<const TlsSettings> tls;
  // True from SIGTERM/SIGINT on: /readyz answers 503.
  std::shared_ptr<std::atomic<bool>> stopping = std::make_shared<std::atomic<bool>>(false);
  std::optional<ServingLock> serving;  // released last
  std::unique_ptr<SqliteResourceStore> store;
  // The audit trail (docs/security.md): its table in the store's file, and the store the FHIR
  // API writes through so that each write carries its audit record.
  std::unique_ptr<SqliteAuditLog> audit_log;
  std::unique_ptr<AuditRetention> audit_retention;  // null when records are kept for good
  std::unique_ptr<AuditingResourceStore> audited_store;
  // What the FHIR API reads and writes through: a partner's request (PartnerScope, opened by the
  // FhirAuthorizer) sees and changes only its patients' data.
  std::unique_ptr<PartnerVisibleStore> fhir_store;
  // The store the practice API reads from: it notes what each request read in its audit record.
  std::unique_ptr<ReadNotingResourceStore> practice_store;
  std::unique_ptr<fhir::Validator> validator;
  std::unique_ptr<WorkflowRules> rules;
  std::shared_ptr<FhirRestHandler> fhir_api;
  // SMART Backend Services (auth.mode "smart"); null in development mode.
  std::unique_ptr<ClientRegistry> clients;
  std::unique_ptr<SqliteReplayCache> replay;
  std::unique_ptr<AccessTokens> access_tokens;
  std::unique_ptr<TokenService> token_service;
  std::shared_ptr<StaticBearerGate> practice_gate;  // null without a practice token
  std::unique_ptr<SqliteSyncStateStore> sync_state;
  std::unique_ptr<SyncService> sync;  // stopped and destroyed before the stores
  // The admin API's configuration changes, put into effect without a restart.
  std::unique_ptr<ConfigEditor> config_editor;
  std::unique_ptr<LiveConfiguration> live_config;
  std::shared_ptr<AdminConfigApi> admin;
};

// Opens the sync state and prepares the sync service; its jobs start with the server.
Status PrepareSync(const GatewayConfig& config, Services& services) {
  DUET_ASSIGN_OR_RETURN(services.sync_state, SqliteSyncStateStore::Open(config.store.path));
  SyncContext context{*services.store,    *services.sync_state,
                      *services.fhir_api, mappings::MappingContext{config.practice.identifier_base},
                      SystemClockSeconds, *services.audit_log};
  services.sync = std::make_unique<SyncService>(context);
  std::shared_ptr<GatewayMetrics> metrics = services.metrics;
  services.sync->SetRunObserver([metrics](const JobRun& run) {
    metrics->CountSyncRun(run.job, run.outcome, run.sent, run.received, run.failed);
  });
  // Outbox sizes and partners' certificate expiry are read from the state store at each scrape, for
  // the jobs configured then (the collector runs only while the server serves /metrics, which stops
  // before the stores close).
  SyncStateStore* state = services.sync_state.get();
  SyncService* sync = services.sync.get();
  metrics->registry().AddCollector([metrics, state, sync] {
    for (const std::string& job : sync->JobNames()) {
      StatusOr<int64_t> dead = state->CountItems(job, "dead");
      StatusOr<int64_t> pending = state->CountItems(job, "pending");
      if (dead.ok()) metrics->sync_dead_letters.WithLabels({job}).Set(static_cast<double>(*dead));
      if (pending.ok()) {
        metrics->sync_pending.WithLabels({job}).Set(static_cast<double>(*pending));
      }
    }
    if (StatusOr<std::vector<EndpointHealth>> checks = state->EndpointChecks(); checks.ok()) {
      for (const EndpointHealth& check : *checks) {
        if (check.certificate_expires_at == 0) continue;
        metrics->partner_certificate_expiry.WithLabels({check.endpoint})
            .Set(static_cast<double>(check.certificate_expires_at));
      }
    }
  });
  return Status::Ok();
}

// /readyz: the store answers, the audit trail is being written, the certificate is loaded and
// valid, the gateway is not stopping.
std::shared_ptr<ReadyHandler> MakeReadyHandler(const Services& services) {
  std::vector<ReadinessCheck> checks;
  SqliteResourceStore* store = services.store.get();
  checks.push_back({"store", "the store does not answer", [store] { return store->CheckHealth(); },
                    /*cached=*/true});
  SqliteAuditLog* audit_log = services.audit_log.get();
  checks.push_back({"audit", "the audit trail cannot be written",
                    [audit_log] { return audit_log->WriteHealth(); }});
  std::shared_ptr<const TlsSettings> tls = services.tls;
  checks.push_back(
      {"certificate", "the TLS certificate is not loaded or has expired", [tls]() -> Status {
         if (tls == nullptr) return UnavailableError("no TLS certificate is loaded");
         if (std::chrono::system_clock::now() >= tls->certificate_not_after()) {
           return UnavailableError("the TLS certificate " + tls->certificate_subject() +
                                   " has expired");
         }
         return Status::Ok();
       }});
  std::shared_ptr<std::atomic<bool>> stopping = services.stopping;
  checks.push_back({"shutdown", "the gateway is shutting down", [stopping]() -> Status {
                      if (stopping->load()) return UnavailableError("shutting down");
                      return Status::Ok();
                    }});
  return std::make_shared<ReadyHandler>(std::move(checks));
}

int64_t SystemClockMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Who a smart-mode FHIR request comes from, by its bearer token (unauthenticated without a live
// one: the FhirAuthorizer refuses it).
AuditAgent SmartAgent(const AccessTokens& tokens, const HttpRequest& request) {
  const std::string* header = request.headers.Find("Authorization");
  constexpr size_t kPrefix = 7;  // "Bearer "
  if (header != nullptr && header->size() > kPrefix &&
      strncasecmp(header->c_str(), "Bearer ", kPrefix) == 0) {
    auto principal = tokens.Find(header->substr(kPrefix), SystemClockSeconds());
    if (principal != nullptr) {
      return AuditAgent{"client", principal->client_id, principal->organization_npi};
    }
  }
  return AuditAgent{"unauthenticated", "", ""};
}

// The admin API's routes (gateway/admin_api/).
std::shared_ptr<AdminApiHandler> MakeAdminApi(Services& services) {
  auto admin = std::make_shared<AdminApiHandler>();
  admin->Add("GET", "/audit", AuditRoute(*services.audit_log));
  return admin;
}

// Mounts the admin API: the audit search (AdminApiHandler at /admin/v1) and the configuration
// and sync routes (AdminConfigApi at their longer prefixes); open in development mode, behind the
// admin's token in smart mode, or not at all without one.
Status MountAdminApi(const GatewayConfig& config, Services& services, Router& router) {
  services.config_editor = std::make_unique<ConfigEditor>(config.source_path);
  services.live_config = std::make_unique<LiveConfiguration>(*services.sync, services.clients.get(),
                                                             services.access_tokens.get());
  services.admin = std::make_shared<AdminConfigApi>(*services.config_editor, *services.live_config,
                                                    *services.sync_state, *services.sync, config);
  std::shared_ptr<HttpHandler> audit = MakeAdminApi(services);
  std::shared_ptr<HttpHandler> admin = services.admin;
  if (config.auth.mode == "smart") {
    if (config.auth.admin_token_file.empty()) {
      spdlog::warn("auth.admin_token_file is not set: the admin API is not served");
      return Status::Ok();
    }
    for (std::shared_ptr<HttpHandler>* handler : {&audit, &admin}) {
      auto gate = StaticBearerGate::Create(*handler, config.auth.admin_token_file, "admin",
                                           "auth.admin_token_file");
      if (!gate.ok()) return gate.status().WithContext("auth.admin_token_file");
      *handler = *gate;
    }
  }
  DUET_RETURN_IF_ERROR(router.Mount("/admin/v1", audit));
  for (const std::string& prefix : AdminConfigApi::MountPrefixes()) {
    DUET_RETURN_IF_ERROR(router.Mount(prefix, admin));
  }
  return Status::Ok();
}

// Every practice API request that reads or writes patient data is audited, refused ones too
// (outermost, as the FHIR API).
std::shared_ptr<HttpHandler> AuditedPracticeApi(
    Services& services, std::shared_ptr<HttpHandler> practice_api,
    std::function<AuditAgent(const HttpRequest&)> identify) {
  return std::make_shared<AuditedApi>(std::move(practice_api), *services.audit_log,
                                      PracticeAuditRules(std::move(identify)), SystemClockMillis);
}

// Mounts the FHIR and practice APIs: open in development mode; in smart mode the FHIR API
// behind SMART bearer tokens (with the token endpoint and discovery document beside it), and the
// practice API behind its own token, or not at all without one. Every FHIR request and every
// practice API request on patient data is audited in both modes (AuditedApi, outermost, so
// refusals are recorded too).
Status MountApis(const GatewayConfig& config, Services& services, Router& router,
                 std::shared_ptr<HttpHandler> practice_api) {
  if (config.auth.mode != "smart") {
    spdlog::warn("auth.mode is development: no authorization on any API (loopback only)");
    DUET_RETURN_IF_ERROR(router.Mount("/fhir", std::make_shared<AuditedFhirApi>(
                                                   services.fhir_api, *services.audit_log,
                                                   [](const HttpRequest&) {
                                                     return AuditAgent{"development", "", ""};
                                                   },
                                                   SystemClockMillis)));
    return router.Mount("/practice/v1", AuditedPracticeApi(services, std::move(practice_api),
                                                           [](const HttpRequest&) {
                                                             return AuditAgent{"practice", "", ""};
                                                           }));
  }
  auto clients = ClientRegistry::Create(config.auth.clients);
  if (!clients.ok()) return clients.status().WithContext("auth.clients");
  services.clients = std::move(*clients);
  DUET_ASSIGN_OR_RETURN(services.replay, SqliteReplayCache::Open(config.store.path));
  services.access_tokens = std::make_unique<AccessTokens>();
  services.token_service =
      std::make_unique<TokenService>(*services.clients, *services.replay, *services.access_tokens,
                                     config.auth.token_lifetime_seconds);
  auto smart = std::make_shared<SmartAuthHandler>(*services.token_service, config.fhir.base_url,
                                                  SystemClockSeconds);
  std::shared_ptr<GatewayMetrics> metrics = services.metrics;
  smart->SetTokenObserver([metrics](std::string_view error) { metrics->CountTokenAnswer(error); });
  DUET_RETURN_IF_ERROR(router.Mount("/auth", smart));
  DUET_RETURN_IF_ERROR(router.Mount("/fhir/.well-known", smart));
  auto authorized = std::make_shared<FhirAuthorizer>(services.fhir_api, *services.store,
                                                     *services.access_tokens, SystemClockSeconds);
  const AccessTokens& tokens = *services.access_tokens;
  DUET_RETURN_IF_ERROR(router.Mount(
      "/fhir", std::make_shared<AuditedFhirApi>(
                   authorized, *services.audit_log,
                   [&tokens](const HttpRequest& request) { return SmartAgent(tokens, request); },
                   SystemClockMillis)));
  if (config.auth.practice_token_file.empty()) {
    spdlog::warn("auth.practice_token_file is not set: the practice API is not served");
    return Status::Ok();
  }
  auto gate = StaticBearerGate::Create(std::move(practice_api), config.auth.practice_token_file);
  if (!gate.ok()) return gate.status().WithContext("auth.practice_token_file");
  services.practice_gate = *gate;
  const StaticBearerGate* practice_gate = gate->get();
  return router.Mount(
      "/practice/v1",
      AuditedPracticeApi(services, *gate, [practice_gate](const HttpRequest& request) {
        return practice_gate->Admits(request) ? AuditAgent{"practice", "", ""}
                                              : AuditAgent{"unauthenticated", "", ""};
      }));
}

// ---------------------------------------------------------------------------------------------
// HANDLER MOUNTING: every route the gateway serves is mounted here.
//   config.store.path          -> the SQLite store file (absolute)
//   config.fhir.base_url       -> public FHIR base, "" = from the request's Host header
//   config.practice.identifier_base
//   config.source_path         -> the config file, which the admin API edits
// Open long-lived resources into `services` (they are closed after the server stops) and mount
// handlers on `router` by path prefix ("/fhir", "/practice/v1", "/admin/v1", ...).
// ---------------------------------------------------------------------------------------------
Status MountHandlers(const GatewayConfig& config, Services& services, Router& router) {
  DUET_RETURN_IF_ERROR(router.Mount("/healthz", std::make_shared<HealthHandler>()));
  DUET_RETURN_IF_ERROR(
      router.Mount("/metrics", std::make_shared<MetricsHandler>(services.metrics)));
  // The admin console's static files: open (they hold no secret; the admin API behind them
  // checks the token). The admin API's longer /admin/v1/... prefixes win over "/admin".
  DUET_RETURN_IF_ERROR(router.Mount(std::string(ConsoleHandler::kMountPrefix),
                                    std::make_shared<ConsoleHandler>(EmbeddedConsoleAssets())));
  DUET_ASSIGN_OR_RETURN(services.serving, ServingLock::Acquire(config.store.path));
  auto store = SqliteResourceStore::Open(config.store.path);
  if (!store.ok()) return store.status().WithContext("store.path " + config.store.path);
  services.store = std::move(*store);
  DUET_ASSIGN_OR_RETURN(services.audit_log,
                        SqliteAuditLog::Open(config.store.path, services.store.get()));
  if (config.audit.retention_days > 0) {
    services.audit_retention = std::make_unique<AuditRetention>(
        *services.store, config.audit.retention_days, [] { return SystemClockSeconds() * 1000; });
  }
  services.audited_store = std::make_unique<AuditingResourceStore>(*services.store);
  services.fhir_store = std::make_unique<PartnerVisibleStore>(*services.audited_store);
  services.practice_store = std::make_unique<ReadNotingResourceStore>(*services.store);
  DUET_RETURN_IF_ERROR(router.Mount("/readyz", MakeReadyHandler(services)));
  services.validator = std::make_unique<fhir::Validator>();
  mappings::MappingContext mapping{config.practice.identifier_base};
  services.rules = std::make_unique<WorkflowRules>(mapping);
  FhirApiOptions fhir_options;
  fhir_options.public_fhir_base = config.fhir.base_url;
  fhir_options.software_version = DUET_VERSION;
  services.fhir_api = std::make_shared<FhirRestHandler>(
      *services.fhir_store, *services.validator, std::move(fhir_options), services.rules.get());
  // The practice API stores through the FHIR API (same validation, transactions and workflows,
  // no token needed inside the gateway); the router keeps the handlers alive until the server
  // has stopped.
  DUET_RETURN_IF_ERROR(MountApis(
      config, services, router,
      std::make_shared<PracticeApiHandler>(*services.practice_store, *services.fhir_api, mapping)));
  DUET_RETURN_IF_ERROR(PrepareSync(config, services));
  return MountAdminApi(config, services, router);
}

StatusOr<std::shared_ptr<const TlsSettings>> LoadTls(const GatewayConfig& config) {
  DUET_ASSIGN_OR_RETURN(auto tls, TlsSettings::Load({config.tls.certificate, config.tls.private_key,
                                                     config.tls.client_ca}));
  for (const std::string& warning : tls->warnings()) spdlog::warn("{}", warning);
  return tls;
}

HttpServerOptions ServerOptions(const GatewayConfig& config,
                                std::shared_ptr<const TlsSettings> tls) {
  HttpServerOptions options;
  options.host = config.listen.host;
  options.port = config.listen.port;
  options.threads = config.listen.threads;
  options.max_body_bytes = config.limits.max_body_bytes;
  options.max_header_bytes = config.limits.max_header_bytes;
  options.idle_timeout = std::chrono::seconds(config.limits.idle_timeout_seconds);
  options.request_timeout = std::chrono::seconds(config.limits.request_timeout_seconds);
  options.tls = std::move(tls);
  return options;
}

// Every request is charged to its client's token bucket (limits.requests_per_second, burst).
std::shared_ptr<HttpHandler> RateLimited(const GatewayConfig& config, const Services& services,
                                         std::shared_ptr<HttpHandler> inner) {
  auto limiter =
      std::make_shared<RateLimiter>(config.limits.requests_per_second, config.limits.burst);
  RateLimitKey key(services.access_tokens.get(), services.practice_gate.get(), SystemClockSeconds);
  return std::make_shared<RateLimitGate>(std::move(inner), std::move(limiter), std::move(key),
                                         [] { return RateLimiter::Clock::now(); });
}

int Fail(const std::string& what, const Status& status) {
  spdlog::error("{}: {}", what, status.message());
  return 1;
}

}  // namespace

int RunServeCommand(const std::string& config_path) {
  ShutdownSignals signals;  // before any thread starts, so every thread inherits the mask
  InitializeLogging();

  StatusOr<GatewayConfig> config = LoadGatewayConfig(config_path);
  if (!config.ok()) return Fail("cannot start", config.status());
  if (Status level = SetLogLevel(config->log.level); !level.ok()) {
    return Fail("cannot start", level);
  }
  if (Status format = SetLogFormat(config->log.format); !format.ok()) {
    return Fail("cannot start", format);
  }
  auto metrics = std::make_shared<GatewayMetrics>();
  metrics->SetProcessStart(std::chrono::system_clock::now());
  metrics->SetBuildInfo(DUET_VERSION);

  StatusOr<std::shared_ptr<const TlsSettings>> tls = LoadTls(*config);
  if (!tls.ok()) return Fail("cannot start", tls.status());

  metrics->SetCertificateExpiry((*tls)->certificate_not_after());
  auto services = std::make_unique<Services>();  // destroyed in reverse order of its members
  services->metrics = metrics;
  services->tls = *tls;
  std::shared_ptr<std::atomic<bool>> stopping = services->stopping;
  auto router = std::make_shared<Router>();
  if (Status mounted = MountHandlers(*config, *services, *router); !mounted.ok()) {
    return Fail("cannot start", mounted);
  }

  HttpServerOptions options = ServerOptions(*config, *tls);
  options.observer = std::make_shared<HttpTelemetry>(metrics);
  CpprestHttpServer server(options, RateLimited(*config, *services, router));
  if (Status started = server.Start(); !started.ok()) return Fail("cannot start", started);

  std::string fhir_base =
      config->fhir.base_url.empty() ? server.url() + "/fhir" : config->fhir.base_url;
  spdlog::info("duet listening on {} (FHIR base {}, {} threads, certificate {})", server.url(),
               fhir_base, config->listen.threads, (*tls)->certificate_subject());

  if (Status jobs = services->sync->Configure(*config); !jobs.ok()) {
    server.Stop();
    return Fail("cannot start the sync jobs", jobs);
  }

  int signal_number = signals.Wait();
  while (signal_number == SIGHUP) {
    Status reloaded = services->admin->Reload();
    if (reloaded.ok()) {
      spdlog::info("SIGHUP: configuration reloaded from {}", config_path);
    } else {
      spdlog::error("SIGHUP: configuration not reloaded: {}", reloaded.message());
    }
    signal_number = signals.Wait();
  }
  // Not ready from now on; new requests are refused with 503 while the ones in flight finish
  // (bounded), and at the same time a running sync job stops at its next resumable point.
  stopping->store(true);
  spdlog::info("received {}; stopping", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  std::thread stop_sync([&services] { services->sync->Stop(); });
  server.Stop();
  stop_sync.join();
  services.reset();
  spdlog::info("stopped");
  return 0;
}

}  // namespace duet::gateway
