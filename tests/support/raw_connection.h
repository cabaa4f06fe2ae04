// RawConnection: a bare TCP connection to a local port, optionally with TLS on it (the server's
// certificate is not checked), for tests that must misbehave at the byte level: send nothing,
// trickle a request a byte at a time, or send headers without end, and see when the server
// closes the connection. One instance per thread; not thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace duet::test {

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; with `tls`, completes a TLS handshake. Check ok().
  RawConnection(int port, bool tls);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool ok() const { return fd_ >= 0; }
  // Writes all of `bytes`; false once the connection is broken.
  bool Send(const std::string& bytes);
  // Reads what arrives within `timeout`, or until the server closes the connection.
  std::string Read(std::chrono::milliseconds timeout);
  // Whether the server closes the connection (end of stream or reset) within `timeout`; what it
  // sends before closing is discarded.
  bool ClosedWithin(std::chrono::milliseconds timeout);

 private:
  // Reads (into `out` when not null) until the server closes (true) or `timeout` passes (false).
  bool ReadFor(std::chrono::milliseconds timeout, std::string* out);
  // > 0 bytes read, 0 closed, -1 nothing within the timeout.
  int ReadOnce(char* buffer, int size, std::chrono::milliseconds timeout);

  struct Tls;
  int fd_ = -1;
  std::unique_ptr<Tls> tls_;
};

}  // namespace duet::test
