// TestServer: runs the real `duet serve` binary as a child process for integration tests.
//
// The constructor makes a temporary directory with a config file (a free loopback port, the test
// certificates, a store file inside the directory, plus any extra config) but does not start the
// process; Start() launches it and waits until /healthz answers. The destructor sends SIGTERM,
// waits (SIGKILL after a timeout) and removes the directory (kept when DUET_KEEP_TEST_DIRS is
// set). The child's stderr goes to <config_dir>/duet.stderr.log (log()). Restart() stops and
// starts the same configuration, for durability tests. Used from one test thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "tests/support/https_client.h"

namespace duet::test {

struct TestServerOptions {
  // Merged into the generated config object by object; a null value removes that member.
  // Example: {"limits": {"max_body_bytes": 2048}}.
  fhir::Json extra_config = fhir::Json::MakeObject();
  std::chrono::seconds start_timeout{30};
};

class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // Launches the binary and waits for /healthz; on failure the error includes the child's log.
  Status Start();
  // SIGTERM, then waits up to `timeout` (SIGKILL after it). Returns the exit code, 128+signal
  // when killed by a signal, or -1 when it was not running.
  int Stop(std::chrono::seconds timeout = std::chrono::seconds(15));
  // Sends SIGTERM and returns at once (graceful-shutdown tests); Stop() then waits for the exit.
  void Terminate();
  Status Restart();
  // SIGKILL: the process gets no chance to clean up (crash tests). The exit code, or -1.
  int Kill();
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  std::string base_url() const;  // "https://127.0.0.1:PORT"
  int port() const { return port_; }
  const std::string& config_dir() const { return dir_; }
  std::string config_path() const { return dir_ + "/duet.json"; }
  std::string store_path() const { return dir_ + "/duet.db"; }
  // Everything the child wrote to stderr so far (across restarts).
  std::string log() const;
  // A client for this server that trusts the test CA.
  HttpsClient Client(HttpsClientOptions options = {}) const;

 private:
  TestServerOptions options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int PickFreePort();

struct ProcessResult {
  int exit_code = -1;  // 128+signal when killed
  std::string out;
  std::string err;
  bool timed_out = false;
};

// Runs build/bin/duet with `args` to completion (killed after `timeout`), capturing its output.
ProcessResult RunDuet(const std::vector<std::string>& args,
                      std::chrono::seconds timeout = std::chrono::seconds(30));

// Runs any program the same way (for openssl s_client and friends).
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& stdin_text = "",
                         std::chrono::seconds timeout = std::chrono::seconds(30));

// Path of the duet binary under test.
std::string DuetBinary();

// Writes `text` to `path`, replacing it.
void WriteFile(const std::string& path, const std::string& text);

// A fresh temporary directory; the caller removes it.
std::string MakeTempDir(const std::string& prefix = "duet-test");

}  // namespace duet::test
