// Status and StatusOr<T>: errors as values across every module boundary.
//
// A Status says whether an operation itself succeeded; problems found in data (a resource that
// fails validation) are reported as OperationOutcome issues, not as a Status. Value types, safe
// to copy between threads; no shared state.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace duet {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // malformed input (bad JSON, bad parameter)
  kNotFound,            // no such resource or route
  kGone,                // existed, now deleted
  kAlreadyExists,       // would duplicate an existing item
  kConflict,            // e.g. id in body differs from URL, or a duplicate match
  kFailedPrecondition,  // e.g. If-Match names a stale version
  kUnprocessable,       // well-formed but fails validation or business rules
  kMethodNotAllowed,    // interaction not supported on this target
  kUnsupportedMediaType,
  kPayloadTooLarge,
  kUnauthenticated,
  kPermissionDenied,
  kResourceExhausted,  // rate limited or out of capacity
  kUnavailable,        // store or peer unreachable
  kDeadlineExceeded,
  kUnimplemented,
  kInternal,
};

// Short, stable name of a code ("INVALID_ARGUMENT"), for logs and messages.
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Prefixes the message with context ("reading config: " + message), keeping the code.
  Status WithContext(const std::string& context) const;

  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgumentError(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status GoneError(std::string m) { return {StatusCode::kGone, std::move(m)}; }
inline Status AlreadyExistsError(std::string m) {
  return {StatusCode::kAlreadyExists, std::move(m)};
}
inline Status ConflictError(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
inline Status FailedPreconditionError(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status UnprocessableError(std::string m) {
  return {StatusCode::kUnprocessable, std::move(m)};
}
inline Status UnauthenticatedError(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status PermissionDeniedError(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status UnimplementedError(std::string m) {
  return {StatusCode::kUnimplemented, std::move(m)};
}
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }

// Holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : value_(value) {}             // NOLINT(google-explicit-constructor)
  StatusOr(T&& value) : value_(std::move(value)) {}       // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "StatusOr built from an OK Status");
    if (status_.ok()) status_ = InternalError("StatusOr built from an OK Status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T& value() & {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace duet

// Returns early from the enclosing function with the Status if it is not OK.
#define DUET_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::duet::Status duet_status_ = (expr);        \
    if (!duet_status_.ok()) return duet_status_; \
  } while (false)

#define DUET_CONCAT_INNER_(a, b) a##b
#define DUET_CONCAT_(a, b) DUET_CONCAT_INNER_(a, b)

// Declares `lhs` from a StatusOr expression, or returns its Status from the enclosing function.
#define DUET_ASSIGN_OR_RETURN(lhs, expr)                    \
  auto DUET_CONCAT_(duet_statusor_, __LINE__) = (expr);     \
  if (!DUET_CONCAT_(duet_statusor_, __LINE__).ok())         \
    return DUET_CONCAT_(duet_statusor_, __LINE__).status(); \
  lhs = std::move(DUET_CONCAT_(duet_statusor_, __LINE__)).value()
