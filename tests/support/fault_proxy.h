// FaultProxy: an HTTPS proxy for fault tests, between a gateway and a real partner server. It
// terminates TLS (requiring the test client certificate, like a partner that wants mutual TLS),
// forwards each request to the partner over its own mutual-TLS connection, and on the requests
// a FaultChooser picks, misbehaves the way real networks and servers do:
//   kUnavailable  answers 503 + Retry-After: 1 without forwarding;
//   kDropBefore   closes the connection without forwarding (the partner never saw it);
//   kDropAfter    forwards, then closes without answering (the partner did the work, the
//                 gateway cannot know);
//   kSlow         forwards, then answers only after `slow_delay` (longer than the gateway's
//                 timeout, so the gateway gives up while the partner did the work).
// It counts what it did, per fault, so tests can check every fault was met.
//
// Threads: requests are handled on the underlying ScriptedHttpsServer's connection threads,
// several at once; the chooser is called under the proxy's lock with the request's 1-based
// number, so it may keep state. Counters are thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "tests/support/https_client.h"
#include "tests/support/scripted_https_server.h"

namespace duet::test {

enum class Fault { kNone, kUnavailable, kDropBefore, kDropAfter, kSlow };
inline constexpr size_t kFaultKinds = 5;

using FaultChooser = std::function<Fault(int number, const ScriptedRequest& request)>;

class FaultProxy {
 public:
  // `upstream_base` like "https://127.0.0.1:PORT"; `upstream_tls` says how to reach it.
  FaultProxy(std::string upstream_base, HttpsClientOptions upstream_tls, FaultChooser chooser,
             std::chrono::milliseconds slow_delay);

  Status Start() { return server_.Start(); }
  void Stop() { server_.Stop(); }
  std::string base_url() const { return server_.base_url(); }

  int count(Fault fault) const { return counts_[static_cast<size_t>(fault)]; }
  int requests() const;

 private:
  ScriptedResponse Handle(const ScriptedRequest& request);
  ScriptedResponse Forward(const ScriptedRequest& request) const;

  std::string upstream_base_;
  HttpsClientOptions upstream_tls_;
  FaultChooser chooser_;
  std::chrono::milliseconds slow_delay_;
  mutable std::mutex mutex_;  // guards chooser_ and number_
  int number_ = 0;
  std::array<std::atomic<int>, kFaultKinds> counts_{};
  ScriptedHttpsServer server_;  // last: its threads call Handle
};

}  // namespace duet::test
