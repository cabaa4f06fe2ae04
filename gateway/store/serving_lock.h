// ServingLock: an advisory lock (flock) on "<store path>.serving", held by the one `duet serve`
// process that serves a store for as long as it runs. It keeps a second gateway off the same
// store (the read cache assumes one writing process) and tells `duet sync run` whether jobs that
// write resources must be left to the running gateway. The kernel drops the lock when the
// process dies, even by SIGKILL, so a crash never leaves it stale.
//
// Owned by one thread; movable, not copyable.
#pragma once

#include <string>

#include "fhir/status.h"

namespace duet::gateway {

class ServingLock {
 public:
  // Takes the lock; FailedPrecondition when another process holds it.
  static StatusOr<ServingLock> Acquire(const std::string& store_path);
  // Whether a process holds the lock now (false also when the store has never been served).
  static StatusOr<bool> IsHeld(const std::string& store_path);

  ServingLock(ServingLock&& other) noexcept;
  ServingLock& operator=(ServingLock&& other) noexcept;
  ServingLock(const ServingLock&) = delete;
  ServingLock& operator=(const ServingLock&) = delete;
  ~ServingLock();

 private:
  explicit ServingLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace duet::gateway
