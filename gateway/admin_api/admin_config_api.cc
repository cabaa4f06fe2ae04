#include "gateway/admin_api/admin_config_api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <utility>

#include "gateway/admin_api/endpoint_health.h"
#include "gateway/config/auth_config.h"
#include "gateway/http/http_status.h"
#include "gateway/http/json_response.h"
#include "gateway/sync/endpoint_auth.h"
#include "gateway/sync/endpoint_check.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr std::string_view kBase = "/admin/v1";

HttpResponse StatusResponse(const Status& status, const std::string& message_prefix = "") {
  std::vector<JsonProblem> problems;
  if (status.code() == StatusCode::kInvalidArgument) {
    for (const ConfigProblem& problem : SplitConfigProblems(status)) {
      problems.push_back({problem.pointer, problem.message, ""});
    }
  }
  std::string message =
      problems.empty() ? status.message() : std::to_string(problems.size()) + " problem(s)";
  return JsonErrorResponse(HttpStatusFor(status.code()), message_prefix + message, problems);
}

HttpResponse MethodNotAllowed(const std::string& allowed) {
  HttpResponse response = JsonErrorResponse(405, "allowed methods: " + allowed);
  response.headers.Set("Allow", allowed);
  return response;
}

StatusOr<Json> BodyObject(const HttpRequest& request) {
  auto body = fhir::ParseJson(request.body);
  if (!body.ok()) return InvalidArgumentError(": the body is not JSON: " + body.status().message());
  if (!body->is_object()) return InvalidArgumentError(": the body must be a JSON object");
  return body;
}

std::string QueryValue(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.query) {
    if (key == name) return value;
  }
  return "";
}

Json JobToJson(const JobConfig& job) {
  Json json = Json::MakeObject();
  json.Set("name", Json::String(job.name));
  json.Set("kind", Json::String(job.kind));
  json.Set("endpoint", Json::String(job.endpoint));
  if (job.cron.empty()) {
    json.Set("every", Json::String(std::to_string(job.every_seconds) + "s"));
  } else {
    json.Set("cron", Json::String(job.cron));
  }
  return json;
}

Json ItemToJson(const OutboxItem& item) {
  Json json = Json::MakeObject();
  json.Set("id", Json::Integer(item.id));
  json.Set("job", Json::String(item.job));
  json.Set("key", Json::String(item.key));
  json.Set("state", Json::String(item.state));
  json.Set("attempts", Json::Integer(item.attempts));
  json.Set("last_error", Json::String(item.last_error));
  json.Set("created_at", Json::Integer(item.created_at));
  json.Set("next_attempt_at", Json::Integer(item.next_attempt_at));
  return json;
}

Json ItemsOf(const ConfigCollection& collection, const GatewayConfig& config) {
  Json items = Json::MakeArray();
  if (&collection == &ConfigCollection::Endpoints()) {
    for (const EndpointConfig& endpoint : config.endpoints) items.Append(EndpointToJson(endpoint));
  } else if (&collection == &ConfigCollection::Clients()) {
    for (const ClientConfig& client : config.auth.clients) items.Append(ClientToJson(client));
  } else {
    for (const JobConfig& job : config.jobs) items.Append(JobToJson(job));
  }
  return items;
}

// Values of members that could hold a secret inline become "[redacted]"; paths to files
// (members ending in "_file") stay, they are not secrets.
void Redact(Json& json) {
  if (json.is_array()) {
    for (Json& item : json.items()) Redact(item);
    return;
  }
  if (!json.is_object()) return;
  for (auto& [name, value] : json.members()) {
    bool file = name.size() > 5 && name.compare(name.size() - 5, 5, "_file") == 0;
    bool secret =
        name.find("token") != std::string::npos || name.find("secret") != std::string::npos ||
        name.find("password") != std::string::npos || name.find("private_key") != std::string::npos;
    if (secret && !file && value.is_string()) {
      value = Json::String("[redacted]");
    } else {
      Redact(value);
    }
  }
}

bool HasJob(const GatewayConfig& config, const std::string& name) {
  return std::any_of(config.jobs.begin(), config.jobs.end(),
                     [&](const JobConfig& job) { return job.name == name; });
}

const ConfigCollection* CollectionNamed(std::string_view segment) {
  if (segment == "endpoints") return &ConfigCollection::Endpoints();
  if (segment == "clients") return &ConfigCollection::Clients();
  if (segment == "jobs") return &ConfigCollection::Jobs();
  return nullptr;
}

}  // namespace

AdminConfigApi::AdminConfigApi(ConfigEditor& editor, ConfigApplier& applier,
                               SyncStateStore& sync_state, SyncService& sync, GatewayConfig running)
    : editor_(editor), applier_(applier), sync_state_(sync_state), sync_(sync) {
  SetRunning(std::move(running));
}

std::vector<std::string> AdminConfigApi::MountPrefixes() {
  std::vector<std::string> prefixes;
  for (const char* segment : {"endpoints", "clients", "jobs", "dead-letters", "config", "sync"}) {
    prefixes.push_back(std::string(kBase) + "/" + segment);
  }
  return prefixes;
}

HttpResponse AdminConfigApi::Failure(int status, const std::string& /*path*/,
                                     const std::string& message) const {
  return JsonErrorResponse(status, message);
}

GatewayConfig AdminConfigApi::Running() const {
  std::lock_guard<std::mutex> lock(running_mutex_);
  return running_;
}

HttpResponse AdminConfigApi::Handle(const HttpRequest& request) {
  std::vector<std::string_view> segments = SplitPathSegments(request.path);
  // segments: "admin", "v1", <area>, ...
  if (segments.size() < 3) return JsonErrorResponse(404, "no such admin route");
  std::vector<std::string_view> rest(segments.begin() + 3, segments.end());
  std::string_view area = segments[2];
  if (const ConfigCollection* collection = CollectionNamed(area)) {
    if (area == "jobs") return Jobs(request, rest);
    return Collection(request, *collection, rest);
  }
  if (area == "dead-letters") return DeadLetters(request, rest);
  if (area == "sync" && rest.size() == 1 && rest[0] == "history") return SyncHistory(request);
  if (area == "config" && rest.empty()) {
    if (request.method != "GET") return MethodNotAllowed("GET");
    return RunningConfig();
  }
  return JsonErrorResponse(404, "no such admin route: " + request.path);
}

HttpResponse AdminConfigApi::Collection(const HttpRequest& request,
                                        const ConfigCollection& collection,
                                        const std::vector<std::string_view>& rest) {
  const std::string plural = collection.what + "s";
  if (rest.empty()) {
    if (request.method == "GET") {
      GatewayConfig running = Running();
      Json body = Json::MakeObject();
      body.Set(plural, ItemsOf(collection, running));
      if (&collection == &ConfigCollection::Endpoints()) {
        auto health = EndpointsHealthJson(running, sync_state_, SystemClockSeconds());
        if (!health.ok()) return StatusResponse(health.status());
        body.Set("health", std::move(*health));
      }
      return JsonResponse(200, body);
    }
    if (request.method != "POST") return MethodNotAllowed("GET, POST");
    auto item = BodyObject(request);
    if (!item.ok()) return StatusResponse(item.status());
    std::string key(item->StringOr(collection.key));
    return Change(201, "added " + collection.what + " " + key, collection, key,
                  [&] { return editor_.Add(collection, std::move(*item)); });
  }
  std::string key(rest[0]);
  if (rest.size() == 2 && rest[1] == "test" && &collection == &ConfigCollection::Endpoints()) {
    if (request.method != "POST") return MethodNotAllowed("POST");
    return TestEndpoint(key);
  }
  if (rest.size() != 1) return JsonErrorResponse(404, "no such admin route: " + request.path);
  if (request.method == "GET") {
    Json items = ItemsOf(collection, Running());
    for (Json& item : items.items()) {
      if (item.StringOr(collection.key) == key) return JsonResponse(200, item);
    }
    return JsonErrorResponse(404, "no " + collection.what + " is named \"" + key + "\"");
  }
  if (request.method == "PUT") {
    auto item = BodyObject(request);
    if (!item.ok()) return StatusResponse(item.status());
    return Change(200, "replaced " + collection.what + " " + key, collection, key,
                  [&] { return editor_.Replace(collection, key, std::move(*item)); });
  }
  if (request.method == "DELETE") {
    HttpResponse removed = Change(200, "removed " + collection.what + " " + key, collection, key,
                                  [&] { return editor_.Remove(collection, key); });
    if (removed.status == 200 && &collection == &ConfigCollection::Endpoints()) {
      if (Status forgotten = sync_state_.ForgetEndpointCheck(key); !forgotten.ok()) {
        spdlog::warn("admin: the last check of endpoint {} stays in the store: {}", key,
                     forgotten.message());
      }
    }
    return removed;
  }
  return MethodNotAllowed("GET, PUT, DELETE");
}

HttpResponse AdminConfigApi::Jobs(const HttpRequest& request,
                                  const std::vector<std::string_view>& rest) {
  if (rest.size() == 2 && rest[1] == "run") {
    if (request.method != "POST") return MethodNotAllowed("POST");
    std::string name(rest[0]);
    if (Status queued = sync_.RequestRun(name); !queued.ok()) return StatusResponse(queued);
    Json body = Json::MakeObject();
    body.Set("message", Json::String("job " + name + " will run as soon as the runner is free"));
    return JsonResponse(202, body);
  }
  if (request.method != "GET" || rest.size() > 1) {
    return Collection(request, ConfigCollection::Jobs(), rest);
  }
  Json jobs = Json::MakeArray();
  for (const JobConfig& job : Running().jobs) {
    if (!rest.empty() && job.name != rest[0]) continue;
    auto json = JobWithState(job);
    if (!json.ok()) return StatusResponse(json.status());
    if (!rest.empty()) return JsonResponse(200, *json);
    jobs.Append(std::move(*json));
  }
  if (!rest.empty()) {
    return JsonErrorResponse(404, "no job is named \"" + std::string(rest[0]) + "\"");
  }
  Json body = Json::MakeObject();
  body.Set("jobs", std::move(jobs));
  return JsonResponse(200, body);
}

// The job as configured, with its state: runs recorded (a client watching for a run it asked for
// compares them: two runs can start in the same second), last run, next run, open outbox items.
StatusOr<Json> AdminConfigApi::JobWithState(const JobConfig& job) {
  Json json = JobToJson(job);
  DUET_ASSIGN_OR_RETURN(JobState state, sync_state_.LoadJob(job.name));
  json.Set("runs", Json::Integer(state.run_count));
  if (state.last_run) json.Set("last_run", JobRunJson(*state.last_run));
  json.Set("next_run_at", Json::Integer(state.next_run_at));
  for (const char* item_state : {"pending", "dead"}) {
    DUET_ASSIGN_OR_RETURN(int64_t count, sync_state_.CountItems(job.name, item_state));
    json.Set(std::string(item_state) + "_items", Json::Integer(count));
  }
  return json;
}

HttpResponse AdminConfigApi::SyncHistory(const HttpRequest& request) {
  if (request.method != "GET") return MethodNotAllowed("GET");
  std::string text = QueryValue(request, "days");
  int64_t days = 14;
  if (!text.empty()) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), days);
    if (error != std::errc() || end != text.data() + text.size() || days < 1 || days > 366) {
      return JsonErrorResponse(400, "days must be a whole number from 1 to 366");
    }
  }
  // From the start of the UTC day `days - 1` days ago, so that today is the last of `days` days.
  const int64_t now = SystemClockSeconds();
  const int64_t since = (now / 86400 - (days - 1)) * 86400;
  auto history = sync_state_.RunHistory(since);
  if (!history.ok()) return StatusResponse(history.status());
  Json rows = Json::MakeArray();
  for (const SyncDayCount& count : *history) {
    Json row = Json::MakeObject();
    row.Set("day", Json::String(count.day));
    row.Set("job", Json::String(count.job));
    row.Set("runs", Json::Integer(count.runs));
    row.Set("failed_runs", Json::Integer(count.failed_runs));
    row.Set("sent", Json::Integer(count.sent));
    row.Set("received", Json::Integer(count.received));
    row.Set("failed", Json::Integer(count.failed));
    rows.Append(std::move(row));
  }
  Json body = Json::MakeObject();
  body.Set("days", Json::Integer(days));
  body.Set("since", Json::Integer(since));
  body.Set("history", std::move(rows));
  return JsonResponse(200, body);
}

HttpResponse AdminConfigApi::DeadLetters(const HttpRequest& request,
                                         const std::vector<std::string_view>& rest) {
  std::string job = QueryValue(request, "job");
  if (rest.empty()) {
    if (request.method != "GET") return MethodNotAllowed("GET");
    auto items = sync_state_.Items(job, "dead");
    if (!items.ok()) return StatusResponse(items.status());
    Json list = Json::MakeArray();
    for (const OutboxItem& item : *items) list.Append(ItemToJson(item));
    Json body = Json::MakeObject();
    body.Set("dead_letters", std::move(list));
    return JsonResponse(200, body);
  }
  if (rest.size() != 1) return JsonErrorResponse(404, "no such admin route: " + request.path);
  if (rest[0] == "retry") {
    if (request.method != "POST") return MethodNotAllowed("POST");
    // Letters of a job that no longer runs would wait for ever: name a job that does.
    if (!job.empty() && !HasJob(Running(), job)) {
      return JsonErrorResponse(404, "no job is named \"" + job + "\"");
    }
    auto retried = sync_state_.RetryDead(job, SystemClockSeconds());
    if (!retried.ok()) return StatusResponse(retried.status());
    Json body = Json::MakeObject();
    body.Set("retried", Json::Integer(*retried));
    return JsonResponse(200, body);
  }
  if (request.method != "DELETE") return MethodNotAllowed("DELETE");
  int64_t id = 0;
  auto [end, error] = std::from_chars(rest[0].data(), rest[0].data() + rest[0].size(), id);
  if (error != std::errc() || end != rest[0].data() + rest[0].size()) {
    return JsonErrorResponse(400,
                             "a dead letter id is a number (got \"" + std::string(rest[0]) + "\")");
  }
  if (Status discarded = sync_state_.DiscardDead(id); !discarded.ok()) {
    return StatusResponse(discarded);
  }
  spdlog::info("admin: dead letter {} discarded", id);
  Json body = Json::MakeObject();
  body.Set("discarded", Json::Integer(id));
  return JsonResponse(200, body);
}

HttpResponse AdminConfigApi::TestEndpoint(const std::string& name) {
  GatewayConfig config = Running();
  for (const EndpointConfig& endpoint : config.endpoints) {
    if (endpoint.name != name) continue;
    const int64_t now = SystemClockSeconds();
    EndpointCheckReport report = CheckEndpoint(endpoint, now);
    // Kept for the console (GET /endpoints "health") and /metrics; the answer stands without it.
    if (Status kept = sync_state_.RecordEndpointCheck(HealthOfCheck(name, report, now));
        !kept.ok()) {
      spdlog::warn("admin: the check of endpoint {} is not kept: {}", name, kept.message());
    }
    return JsonResponse(200, EndpointCheckJson(name, report, now));
  }
  return JsonErrorResponse(404, "no endpoint is named \"" + name + "\"");
}

HttpResponse AdminConfigApi::Change(int success_status, const std::string& what,
                                    const ConfigCollection& collection, const std::string& key,
                                    const std::function<StatusOr<GatewayConfig>()>& write) {
  std::lock_guard<std::mutex> change_lock(change_mutex_);
  auto previous = editor_.LoadJson();
  if (!previous.ok()) return StatusResponse(previous.status());
  std::string item_pointer = collection.ItemPointer(*previous, key);
  auto written = write();
  if (!written.ok()) {
    return StatusResponse(RelativeToItem(written.status(), item_pointer), "not changed: ");
  }
  GatewayConfig before = Running();
  if (Status applied = applier_.Apply(before, *written); !applied.ok()) {
    // Put the file back as it was, so that it keeps describing what runs.
    auto restored = editor_.Apply([&](Json& config) {
      config = *previous;
      return Status::Ok();
    });
    if (!restored.ok())
      spdlog::error("admin: cannot restore {}: {}", editor_.path(), restored.status().message());
    return StatusResponse(UnprocessableError(applied.message()), "not applied: ");
  }
  SetRunning(*written);
  spdlog::info("admin: {}", what);
  Json body = Json::MakeObject();
  body.Set("message", Json::String(what + "; in effect now"));
  return JsonResponse(success_status, body);
}

HttpResponse AdminConfigApi::RunningConfig() {
  Json body = Json::MakeObject();
  Json running;
  {
    std::lock_guard<std::mutex> lock(running_mutex_);
    running = running_json_;
  }
  auto file = editor_.LoadJson();
  body.Set("file", Json::String(editor_.path()));
  body.Set("file_matches_running",
           Json::Bool(file.ok() && fhir::WriteJson(*file) == fhir::WriteJson(running)));
  Redact(running);
  body.Set("config", std::move(running));
  return JsonResponse(200, body);
}

void AdminConfigApi::SetRunning(GatewayConfig config) {
  auto json = editor_.LoadJson();
  std::lock_guard<std::mutex> lock(running_mutex_);
  running_ = std::move(config);
  if (json.ok()) running_json_ = std::move(*json);
}

Status AdminConfigApi::Reload() {
  std::lock_guard<std::mutex> change_lock(change_mutex_);
  DUET_ASSIGN_OR_RETURN(GatewayConfig loaded, editor_.Load());
  DUET_RETURN_IF_ERROR(applier_.Apply(Running(), loaded));
  SetRunning(std::move(loaded));
  return Status::Ok();
}

}  // namespace duet::gateway
