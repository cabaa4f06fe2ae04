// ConnectionWatchdog: closes the server's connections that overstay the ConnectionLimits
// (connection_tracker.h). cpprestsdk 2.10.18's Asio listener has no timeouts of its own (its
// `http_listener_config::timeout` is never read by the Asio server) and no limit on header size,
// and gives no access to its sockets; so the watchdog finds them from outside: every `tick` it
// lists the process's file descriptors, takes the connected TCP sockets whose local port is the
// listener's, samples each one's kernel counters (TCP_INFO) and shuts down (shutdown(2), both
// ways) a connection the tracker condemns. The listener then sees end-of-stream on the socket and
// closes it as if the client had left. Linux only.
//
// A descriptor is identified by its number and inode, so a number reused for a new connection
// starts afresh; the inode is checked again just before shutting down.
//
// Owns its thread. Start/Stop are called from one controlling thread; Stop joins (idempotent).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "gateway/http/connection_tracker.h"

namespace duet::gateway {

class ConnectionWatchdog {
 public:
  ConnectionWatchdog(int port, ConnectionLimits limits,
                     std::chrono::milliseconds tick = std::chrono::milliseconds(250));
  ~ConnectionWatchdog();  // Stop()s
  ConnectionWatchdog(const ConnectionWatchdog&) = delete;
  ConnectionWatchdog& operator=(const ConnectionWatchdog&) = delete;

  void Start();
  void Stop();

  // Connections shut down so far.
  uint64_t closed() const;

 private:
  void Run();
  void Scan();

  int port_;
  ConnectionLimits limits_;
  std::chrono::milliseconds tick_;
  std::map<std::pair<int, uint64_t>, ConnectionTracker> connections_;  // (fd, inode); Run only

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  uint64_t closed_ = 0;
  std::thread thread_;
};

}  // namespace duet::gateway
