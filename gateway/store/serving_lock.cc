#include "gateway/store/serving_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace duet::gateway {
namespace {

std::string LockPath(const std::string& store_path) { return store_path + ".serving"; }

StatusOr<int> OpenLockFile(const std::string& store_path) {
  int fd = ::open(LockPath(store_path).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return InternalError("cannot open " + LockPath(store_path) + ": " + std::strerror(errno));
  }
  return fd;
}

}  // namespace

StatusOr<ServingLock> ServingLock::Acquire(const std::string& store_path) {
  DUET_ASSIGN_OR_RETURN(int fd, OpenLockFile(store_path));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    ::close(fd);
    if (error == EWOULDBLOCK) {
      return FailedPreconditionError("another gateway is serving the store " + store_path);
    }
    return InternalError("cannot lock " + LockPath(store_path) + ": " + std::strerror(error));
  }
  return ServingLock(fd);
}

StatusOr<bool> ServingLock::IsHeld(const std::string& store_path) {
  DUET_ASSIGN_OR_RETURN(int fd, OpenLockFile(store_path));
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // also releases our shared lock, if we got it
  return held;
}

ServingLock::ServingLock(ServingLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

ServingLock& ServingLock::operator=(ServingLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

ServingLock::~ServingLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace duet::gateway
