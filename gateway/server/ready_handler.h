// ReadyHandler: answers GET/HEAD /readyz (readiness). 200 {"status":"ready"} when every check
// passes; otherwise 503 {"status":"not ready","failing":{"<check>":"<reason>"}} naming each
// failing check. `duet serve` checks that the store answers (a fresh query against the database
// file), that the TLS certificate is loaded and not expired, and that the server is not shutting
// down. A check's details (paths, SQLite's message) go to the log when it starts failing, not
// into the open answer.
//
// The store check touches the disk, so its result is reused for `min_interval` (one second) to
// keep a flood of probes cheap; the other checks run on every request. Any thread may call it;
// the check functions must be thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "fhir/status.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

struct ReadinessCheck {
  std::string name;               // "store"
  std::string reason;             // said in the answer when it fails: "does not answer"
  std::function<Status()> check;  // the detailed status goes to the log
  bool cached = false;            // reuse a result for min_interval (expensive checks)
};

class ReadyHandler final : public HttpHandler {
 public:
  explicit ReadyHandler(std::vector<ReadinessCheck> checks,
                        std::chrono::milliseconds min_interval = std::chrono::seconds(1));

  HttpResponse Handle(const HttpRequest& request) override;

 private:
  Status Run(size_t index);
  void Remember(const std::string& name, const Status& status);

  std::vector<ReadinessCheck> checks_;
  std::chrono::milliseconds min_interval_;
  std::mutex mutex_;
  std::vector<std::chrono::steady_clock::time_point> last_run_;  // per check
  std::vector<Status> last_status_;
  std::set<std::string> failing_;  // for logging changes only
};

}  // namespace duet::gateway
