#include "gateway/http/connection_tracker.h"

namespace duet::gateway {

const char* Describe(ConnectionVerdict verdict) {
  switch (verdict) {
    case ConnectionVerdict::kKeep: return "within limits";
    case ConnectionVerdict::kIdle: return "idle";
    case ConnectionVerdict::kSlowRequest: return "request not complete and answered in time";
    case ConnectionVerdict::kRequestTooLarge: return "request larger than the limit";
  }
  return "?";
}

ConnectionVerdict ConnectionTracker::Observe(const TcpSample& sample, Clock::time_point now) {
  bool received = sample.bytes_received > received_;
  bool sent = sample.bytes_sent > sent_;
  // When both moved since the last sample, the more recent one says where the exchange is.
  bool request_last = received && (!sent || sample.ms_since_received < sample.ms_since_sent);
  if (request_last && (sent || !pending_)) {
    // A request began (after our answer, when one went out since the last sample).
    pending_ = true;
    pending_since_ = now - std::chrono::milliseconds(sample.ms_since_received);
    pending_from_ = received_;
  } else if (sent && !request_last) {
    pending_ = false;
  }
  received_ = sample.bytes_received;
  sent_ = sample.bytes_sent;

  if (pending_) {
    if (sample.bytes_received - pending_from_ > limits_.max_request_bytes) {
      return ConnectionVerdict::kRequestTooLarge;
    }
    if (now - pending_since_ >= limits_.request_timeout) return ConnectionVerdict::kSlowRequest;
    return ConnectionVerdict::kKeep;
  }
  auto idle = static_cast<uint64_t>(limits_.idle_timeout.count());
  if (sample.ms_since_received >= idle && sample.ms_since_sent >= idle) {
    return ConnectionVerdict::kIdle;
  }
  return ConnectionVerdict::kKeep;
}

}  // namespace duet::gateway
