#include "tests/support/raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace duet::test {

struct RawConnection::Tls {
  SSL_CTX* context = nullptr;
  SSL* ssl = nullptr;
  ~Tls() {
    if (ssl != nullptr) SSL_free(ssl);
    if (context != nullptr) SSL_CTX_free(context);
  }
};

RawConnection::RawConnection(int port, bool tls) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return;
  }
  if (tls) {
    tls_ = std::make_unique<Tls>();
    tls_->context = SSL_CTX_new(TLS_client_method());
    // Without auto-retry, SSL_read returns after a TLS 1.3 session ticket instead of blocking
    // for application data, so reads honour their timeouts.
    if (tls_->context != nullptr) SSL_CTX_clear_mode(tls_->context, SSL_MODE_AUTO_RETRY);
    tls_->ssl = tls_->context == nullptr ? nullptr : SSL_new(tls_->context);
    if (tls_->ssl == nullptr || SSL_set_fd(tls_->ssl, fd) != 1 || SSL_connect(tls_->ssl) != 1) {
      ERR_clear_error();
      close(fd);
      return;
    }
  }
  fd_ = fd;
}

RawConnection::~RawConnection() {
  tls_.reset();
  if (fd_ >= 0) close(fd_);
}

bool RawConnection::Send(const std::string& bytes) {
  if (fd_ < 0) return false;
  size_t done = 0;
  while (done < bytes.size()) {
    int wrote = 0;
    if (tls_ != nullptr) {
      wrote = SSL_write(tls_->ssl, bytes.data() + done, static_cast<int>(bytes.size() - done));
    } else {
      wrote = static_cast<int>(send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL));
    }
    if (wrote <= 0) return false;
    done += static_cast<size_t>(wrote);
  }
  return true;
}

int RawConnection::ReadOnce(char* buffer, int size, std::chrono::milliseconds timeout) {
  if (fd_ < 0) return 0;
  if (tls_ == nullptr || SSL_pending(tls_->ssl) == 0) {
    pollfd waiting{fd_, POLLIN, 0};
    int ready = poll(&waiting, 1, static_cast<int>(timeout.count()));
    if (ready == 0) return -1;
    if (ready < 0) return 0;
  }
  if (tls_ != nullptr) {
    int read = SSL_read(tls_->ssl, buffer, size);
    if (read > 0) return read;
    int error = SSL_get_error(tls_->ssl, read);
    ERR_clear_error();
    // A TLS 1.3 session ticket is read without application data: nothing yet.
    if (error == SSL_ERROR_WANT_READ) return -1;
    return 0;
  }
  ssize_t read = recv(fd_, buffer, static_cast<size_t>(size), 0);
  return read > 0 ? static_cast<int>(read) : 0;
}

bool RawConnection::ReadFor(std::chrono::milliseconds timeout, std::string* out) {
  char buffer[16384];
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    int read = ReadOnce(buffer, sizeof buffer, left);
    if (read == 0) return true;
    if (read > 0 && out != nullptr) out->append(buffer, static_cast<size_t>(read));
  }
  return false;
}

std::string RawConnection::Read(std::chrono::milliseconds timeout) {
  std::string out;
  ReadFor(timeout, &out);
  return out;
}

bool RawConnection::ClosedWithin(std::chrono::milliseconds timeout) {
  return ReadFor(timeout, nullptr);
}

}  // namespace duet::test
