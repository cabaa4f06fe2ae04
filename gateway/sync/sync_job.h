// SyncJob: one configured sync job (config `jobs[]`), run by the SyncRunner on its schedule or on
// demand (`duet sync run`). A job does its own work and records its own progress (watermark,
// outbox, markers) in the SyncStateStore as it goes, committing what it takes in before it moves
// a watermark, so that a run cut short by a crash or a stop is finished by the next run with
// nothing lost and nothing done twice.
//
// A job is run by one thread at a time (the runner runs jobs one after another).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "fhir/status.h"

namespace duet::gateway {

// What one run did, for `duet sync status` and the logs.
struct JobRunReport {
  int64_t sent = 0;      // resources or work items delivered to the partner
  int64_t received = 0;  // resources taken in from the partner
  int64_t failed = 0;    // work items that failed (retried later, or dead)
  std::string message;   // one line; never a secret
};

class SyncJob {
 public:
  virtual ~SyncJob() = default;
  // Runs once. `should_stop` turns true when the gateway is stopping: return soon, leaving the
  // rest for the next run. A non-OK status means the run failed as a whole (e.g. the partner is
  // unreachable); failures of single work items are counted in the report instead.
  virtual StatusOr<JobRunReport> RunOnce(const std::function<bool()>& should_stop) = 0;
};

}  // namespace duet::gateway
