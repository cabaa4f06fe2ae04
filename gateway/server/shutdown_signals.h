// ShutdownSignals: turns SIGTERM and SIGINT into an orderly stop of `duet serve`, and SIGHUP into
// a reload of its configuration.
//
// The constructor blocks the three signals in the calling thread; threads created afterwards
// inherit the mask, so construct it in main before any thread starts (the HTTP pool, the store).
// Wait() then receives the signal synchronously with sigwait(), so no async-signal-unsafe work
// happens in a handler. One instance per process, used from the main thread.
#pragma once

#include <csignal>

namespace duet::gateway {

class ShutdownSignals {
 public:
  ShutdownSignals();
  // Discards the signals that arrived since Wait() returned, then restores the previous mask of
  // the calling thread.
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Blocks until SIGTERM, SIGINT or SIGHUP arrives; returns the signal number.
  int Wait();

 private:
  sigset_t signals_;
  sigset_t previous_;
};

}  // namespace duet::gateway
