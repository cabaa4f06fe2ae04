#include "gateway/server/ready_handler.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "fhir/json.h"
#include "gateway/server/health_handler.h"

namespace duet::gateway {

ReadyHandler::ReadyHandler(std::vector<ReadinessCheck> checks,
                           std::chrono::milliseconds min_interval)
    : checks_(std::move(checks)),
      min_interval_(min_interval),
      last_run_(checks_.size()),
      last_status_(checks_.size(), Status::Ok()) {}

Status ReadyHandler::Run(size_t index) {
  const ReadinessCheck& check = checks_[index];
  if (!check.cached) return check.check();
  // One prober at a time; others within the interval get its result.
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (last_run_[index] != std::chrono::steady_clock::time_point() &&
      now - last_run_[index] < min_interval_) {
    return last_status_[index];
  }
  last_status_[index] = check.check();
  last_run_[index] = std::chrono::steady_clock::now();
  return last_status_[index];
}

void ReadyHandler::Remember(const std::string& name, const Status& status) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!status.ok() && failing_.insert(name).second) {
    spdlog::warn("readiness: {} check fails: {}", name, status.message());
  } else if (status.ok() && failing_.erase(name) > 0) {
    spdlog::info("readiness: {} check passes again", name);
  }
}

HttpResponse ReadyHandler::Handle(const HttpRequest& request) {
  if (auto refused = RefuseUnlessGetOrHead(request, "/readyz")) return *refused;
  HttpResponse response;
  response.headers.Set("Content-Type", "application/json");
  response.headers.Set("Cache-Control", "no-store");
  fhir::Json failing = fhir::Json::MakeObject();
  bool ready = true;
  for (size_t i = 0; i < checks_.size(); ++i) {
    Status status = Run(i);
    Remember(checks_[i].name, status);
    if (!status.ok()) {
      ready = false;
      failing.Set(checks_[i].name, fhir::Json::String(checks_[i].reason));
    }
  }
  if (ready) {
    response.body = R"({"status":"ready"})";
    return response;
  }
  fhir::Json body = fhir::Json::MakeObject();
  body.Set("status", fhir::Json::String("not ready"));
  body.Set("failing", std::move(failing));
  response.status = 503;
  response.body = fhir::WriteJson(body);
  return response;
}

}  // namespace duet::gateway
