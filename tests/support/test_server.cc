#include "tests/support/test_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace duet::test {
namespace {

using fhir::Json;
using Clock = std::chrono::steady_clock;

void MergeInto(Json& target, const Json& overlay) {
  for (const auto& [name, value] : overlay.members()) {
    Json* existing = target.Find(name);
    if (value.is_null()) {
      target.Remove(name);
    } else if (existing != nullptr && existing->is_object() && value.is_object()) {
      MergeInto(*existing, value);
    } else {
      target.Set(name, value);
    }
  }
}

Json Section(std::initializer_list<std::pair<const char*, Json>> members) {
  Json object = Json::MakeObject();
  for (const auto& [name, value] : members) object.Set(name, value);
  return object;
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for `pid` until `deadline`; returns the decoded status or nullopt on timeout.
std::optional<int> WaitUntil(pid_t pid, Clock::time_point deadline) {
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return DecodeWaitStatus(status);
    if (done < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

[[noreturn]] void ExecOrDie(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execvp(args[0], args.data());
  std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
  _exit(127);
}

}  // namespace

std::string DuetBinary() { return DUET_BINARY; }

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file) throw std::runtime_error("cannot write " + path);
}

std::string MakeTempDir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
  }
  return pattern;
}

int PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot find a free port: " + std::string(std::strerror(errno)));
  }
  close(fd);
  return ntohs(address.sin_port);
}

ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& stdin_text,
                         std::chrono::seconds timeout) {
  int in[2], out[2], err[2];
  if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    ExecOrDie(argv);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  signal(SIGPIPE, SIG_IGN);
  if (!stdin_text.empty()) {
    ssize_t ignored = write(in[1], stdin_text.data(), stdin_text.size());
    (void)ignored;
  }
  close(in[1]);

  ProcessResult result;
  auto deadline = Clock::now() + timeout;
  std::array<pollfd, 2> fds{{{out[0], POLLIN, 0}, {err[0], POLLIN, 0}}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open_pipes = 2;
  while (open_pipes > 0 && Clock::now() < deadline) {
    if (poll(fds.data(), fds.size(), 100) <= 0) continue;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      std::array<char, 4096> buffer{};
      ssize_t n = read(fds[i].fd, buffer.data(), buffer.size());
      if (n > 0) {
        sinks[i]->append(buffer.data(), static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  std::optional<int> status = WaitUntil(pid, deadline);
  if (!status) {
    result.timed_out = true;
    kill(pid, SIGKILL);
    status = WaitUntil(pid, Clock::now() + std::chrono::seconds(5));
  }
  for (const pollfd& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  result.exit_code = status.value_or(-1);
  return result;
}

ProcessResult RunDuet(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  std::vector<std::string> argv{DuetBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, "", timeout);
}

TestServer::TestServer(TestServerOptions options) : options_(std::move(options)) {
  dir_ = MakeTempDir("duet-server");
  port_ = PickFreePort();
  const std::string certs = TestCertsDir();
  Json config = Json::MakeObject();
  config.Set("listen", Section({{"host", Json::String("127.0.0.1")},
                                {"port", Json::Integer(port_)},
                                {"threads", Json::Integer(4)}}));
  config.Set("tls", Section({{"certificate", Json::String(certs + "/server.pem")},
                             {"private_key", Json::String(certs + "/server.key")}}));
  config.Set("store", Section({{"path", Json::String("duet.db")}}));
  config.Set("practice",
             Section({{"identifier_base", Json::String("https://sunrise-pt.example/sid")}}));
  // Text logs, so tests can look for messages as written; {"log": {"format": null}} gives the
  // default (JSON lines).
  config.Set("log", Section({{"level", Json::String("info")}, {"format", Json::String("text")}}));
  // No authorization unless a test asks for it (tests/integration/auth_test.cc does).
  config.Set("auth", Section({{"mode", Json::String("development")}}));
  if (options_.extra_config.is_object()) MergeInto(config, options_.extra_config);
  WriteFile(config_path(), fhir::WriteJson(config, /*pretty=*/true));
}

TestServer::~TestServer() {
  Stop();
  if (std::getenv("DUET_KEEP_TEST_DIRS") == nullptr) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string TestServer::base_url() const { return "https://127.0.0.1:" + std::to_string(port_); }

std::string TestServer::log() const {
  std::ifstream file(dir_ + "/duet.stderr.log", std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

HttpsClient TestServer::Client(HttpsClientOptions options) const {
  return HttpsClient(base_url(), std::move(options));
}

Status TestServer::Start() {
  if (running()) return FailedPreconditionError("already running");
  std::string log_path = dir_ + "/duet.stderr.log";
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return InternalError("cannot open " + log_path);
  std::vector<std::string> argv{DuetBinary(), "serve", "--config", config_path()};
  pid_t pid = fork();
  if (pid == 0) {
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    if (chdir(dir_.c_str()) != 0) _exit(126);
    ExecOrDie(argv);
  }
  close(log_fd);
  if (pid < 0) return InternalError("fork failed");
  pid_ = pid;

  HttpsClientOptions probe;
  probe.timeout_ms = 2000;
  // The test client certificate, for servers that require mutual TLS (harmless otherwise).
  probe.client_certificate = TestCertsDir() + "/client.pem";
  probe.client_key = TestCertsDir() + "/client.key";
  HttpsClient client = Client(probe);
  auto deadline = Clock::now() + options_.start_timeout;
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return UnavailableError("duet exited with " + std::to_string(DecodeWaitStatus(status)) +
                              " before answering /healthz:\n" + log());
    }
    HttpsResponse health = client.Get("/healthz");
    if (health.status == 200) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Stop();
  return UnavailableError("duet did not answer /healthz within " +
                          std::to_string(options_.start_timeout.count()) + "s:\n" + log());
}

int TestServer::Stop(std::chrono::seconds timeout) {
  if (!running()) return -1;
  kill(pid_, SIGTERM);
  std::optional<int> status = WaitUntil(pid_, Clock::now() + timeout);
  if (!status) {
    kill(pid_, SIGKILL);
    status = WaitUntil(pid_, Clock::now() + std::chrono::seconds(5));
  }
  pid_ = -1;
  return status.value_or(-1);
}

void TestServer::Terminate() {
  if (running()) kill(pid_, SIGTERM);
}

int TestServer::Kill() {
  if (!running()) return -1;
  kill(pid_, SIGKILL);
  std::optional<int> status = WaitUntil(pid_, Clock::now() + std::chrono::seconds(5));
  pid_ = -1;
  return status.value_or(-1);
}

Status TestServer::Restart() {
  int code = Stop();
  if (code != 0) {
    return InternalError("duet exited with " + std::to_string(code) + " on SIGTERM:\n" + log());
  }
  return Start();
}

}  // namespace duet::test
