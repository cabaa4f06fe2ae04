#include "gateway/server/shutdown_signals.h"

#include <pthread.h>

namespace duet::gateway {

ShutdownSignals::ShutdownSignals() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
}

ShutdownSignals::~ShutdownSignals() {
  // A SIGTERM repeated during the stop (a supervisor asking again) is absorbed here, so that
  // unblocking does not kill a process that is about to exit cleanly.
  timespec no_wait{0, 0};
  while (sigtimedwait(&signals_, nullptr, &no_wait) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

int ShutdownSignals::Wait() {
  int signal_number = 0;
  while (sigwait(&signals_, &signal_number) != 0) {
  }
  return signal_number;
}

}  // namespace duet::gateway
