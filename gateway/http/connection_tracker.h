// ConnectionTracker: decides, from periodic samples of one TCP connection's kernel counters,
// whether the connection has overstayed a limit:
//   idle            no request in progress and no byte either way for `idle_timeout` (also a
//                   connection that never sent anything, or stopped in the TLS handshake);
//   slow request    the client started a request (sent bytes after our last answer) and no
//                   answer has begun within `request_timeout`: headers or a body trickling in
//                   ("slowloris"), or a handler that takes that long;
//   request too large  more than `max_request_bytes` arrived since our last answer (headers
//                   with no end: cpprestsdk buffers them without a limit).
// The watchdog (connection_watchdog.h) feeds it; it does no I/O and reads no clock, so it is
// tested with made-up samples and times. A plain value, one per connection, used by one thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace duet::gateway {

struct ConnectionLimits {
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds request_timeout{60000};
  uint64_t max_request_bytes = uint64_t{64} * 1024 * 1024;
};

// What the kernel says about a connection (Linux TCP_INFO).
struct TcpSample {
  uint64_t bytes_received = 0;     // payload bytes received since the connection opened
  uint64_t bytes_sent = 0;         // payload bytes sent
  uint64_t ms_since_received = 0;  // since the last data arrived (since the accept when none)
  uint64_t ms_since_sent = 0;      // since the last data left (very large when none yet)
};

enum class ConnectionVerdict { kKeep, kIdle, kSlowRequest, kRequestTooLarge };

const char* Describe(ConnectionVerdict verdict);

class ConnectionTracker {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ConnectionTracker(const ConnectionLimits& limits) : limits_(limits) {}

  // Takes a sample taken at `now` (samples come in time order).
  ConnectionVerdict Observe(const TcpSample& sample, Clock::time_point now);

 private:
  ConnectionLimits limits_;
  uint64_t received_ = 0;
  uint64_t sent_ = 0;
  bool pending_ = false;  // a request has begun arriving and no answer has started since
  Clock::time_point pending_since_;
  uint64_t pending_from_ = 0;  // bytes_received when the request began
};

}  // namespace duet::gateway
