#include "gateway/http/connection_watchdog.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace duet::gateway {
namespace {

constexpr int kTcpEstablished = 1;  // TCP_ESTABLISHED in the kernel's tcp_states.h

// The port of a socket address; 0 when it is not IPv4 or IPv6.
int PortOf(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return 0;
}

std::string PeerText(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(address).sin_addr, text, sizeof text);
  } else if (address.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr, text,
              sizeof text);
  }
  return std::string(text) + ":" + std::to_string(PortOf(address));
}

std::optional<uint64_t> SocketInode(int fd) {
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISSOCK(info.st_mode)) return std::nullopt;
  return static_cast<uint64_t>(info.st_ino);
}

// The counters of an established connection accepted on `port`; nullopt for anything else.
std::optional<TcpSample> SampleIfServed(int fd, int port, sockaddr_storage* peer) {
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) return std::nullopt;
  if (PortOf(local) != port) return std::nullopt;
  length = sizeof *peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(peer), &length) != 0) return std::nullopt;
  tcp_info info{};
  length = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return std::nullopt;
  if (info.tcpi_state != kTcpEstablished) return std::nullopt;
  if (length < offsetof(tcp_info, tcpi_bytes_sent) + sizeof info.tcpi_bytes_sent) {
    return std::nullopt;  // a kernel older than 4.19
  }
  TcpSample sample;
  sample.bytes_received = info.tcpi_bytes_received;
  sample.bytes_sent = info.tcpi_bytes_sent;
  sample.ms_since_received = info.tcpi_last_data_recv;
  sample.ms_since_sent = info.tcpi_last_data_sent;
  return sample;
}

// An idle connection is shut down gracefully (the client reads the end of the stream). A client
// still sending is aborted instead: after shutdown(2) the kernel keeps queueing what it sends
// and the listener would keep reading it; connecting a TCP socket to AF_UNSPEC resets the
// connection and drops its queues, and the listener's next read fails.
void Close(int fd, ConnectionVerdict verdict) {
  if (verdict == ConnectionVerdict::kIdle) {
    shutdown(fd, SHUT_RDWR);
    return;
  }
  sockaddr unspecified{};
  unspecified.sa_family = AF_UNSPEC;
  connect(fd, &unspecified, sizeof unspecified);
}

}  // namespace

ConnectionWatchdog::ConnectionWatchdog(int port, ConnectionLimits limits,
                                       std::chrono::milliseconds tick)
    : port_(port), limits_(limits), tick_(tick) {}

ConnectionWatchdog::~ConnectionWatchdog() { Stop(); }

void ConnectionWatchdog::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void ConnectionWatchdog::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t ConnectionWatchdog::closed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return closed_;
}

void ConnectionWatchdog::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, tick_, [this] { return stopping_; })) {
    lock.unlock();
    Scan();
    lock.lock();
  }
}

void ConnectionWatchdog::Scan() {
  DIR* directory = opendir("/proc/self/fd");
  if (directory == nullptr) return;
  auto now = ConnectionTracker::Clock::now();
  std::map<std::pair<int, uint64_t>, ConnectionTracker> seen;
  const int own = dirfd(directory);
  while (dirent* entry = readdir(directory)) {
    char* end = nullptr;
    long number = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || number == own) continue;
    int fd = static_cast<int>(number);
    std::optional<uint64_t> inode = SocketInode(fd);
    if (!inode) continue;
    sockaddr_storage peer{};
    std::optional<TcpSample> sample = SampleIfServed(fd, port_, &peer);
    if (!sample) continue;
    auto key = std::make_pair(fd, *inode);
    auto found = connections_.find(key);
    ConnectionTracker tracker =
        found != connections_.end() ? found->second : ConnectionTracker(limits_);
    ConnectionVerdict verdict = tracker.Observe(*sample, now);
    if (verdict == ConnectionVerdict::kKeep) {
      seen.emplace(key, tracker);
      continue;
    }
    if (SocketInode(fd) != inode) continue;  // closed and reused meanwhile: not ours to judge
    Close(fd, verdict);
    spdlog::info("http: closed the connection from {}: {}", PeerText(peer), Describe(verdict));
    std::lock_guard<std::mutex> lock(mutex_);
    ++closed_;
  }
  closedir(directory);
  connections_ = std::move(seen);
}

}  // namespace duet::gateway
