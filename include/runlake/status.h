#pragma once
// Status and Result<T>: how every runlake call reports failure.
// Internals may throw; public calls return these. Result's surface follows std::expected
// (ok(), value(), operator*, operator->, status()) so moving to it later is mechanical.

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace runlake {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad usage or bad input (exit code 2)
  kNotFound,
  kAlreadyExists,
  kConflict,         // a concurrent writer won (put-if-absent lost, stale version)
  kIOError,
  kCorruption,       // data that should be ours is unreadable (bad JSON, bad gzip)
  kFailedPrecondition,  // refused action: state does not allow it (exit code 1)
  kAborted,
  kInternal,
  // Transient: the same call may succeed later (an S3 5xx, throttling or a reset
  // connection; a PostgreSQL serialization failure, deadlock or lost connection; SQLite
  // busy). Assigned only where runlake meets those services, and the only code that
  // common/retry.h retries (abseil's kUnavailable is the model).
  kUnavailable,
  // Out of a resource that waiting does not bring back: memory, disk space. Exit 1, never
  // retried; the message says which resource.
  kResourceExhausted,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsAlreadyExists() const { return code_ == StatusCode::kAlreadyExists; }
  bool IsConflict() const { return code_ == StatusCode::kConflict; }
  bool IsInvalidArgument() const { return code_ == StatusCode::kInvalidArgument; }
  bool IsIOError() const { return code_ == StatusCode::kIOError; }
  bool IsUnavailable() const { return code_ == StatusCode::kUnavailable; }

  // "NotFound: bronze/x.csv.gz does not exist"
  std::string ToString() const;
  // Same code, message prefixed with context: "reading rules.json: <message>".
  Status WithContext(const std::string& context) const {
    return ok() ? *this : Status(code_, context + ": " + message_);
  }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

const char* StatusCodeName(StatusCode code);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit like std::expected
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  Status status() const { return ok() ? Status::OK() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T value_or(T other) const& { return ok() ? value() : std::move(other); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace runlake

#define RUNLAKE_CONCAT_IMPL(a, b) a##b
#define RUNLAKE_CONCAT(a, b) RUNLAKE_CONCAT_IMPL(a, b)

#define RUNLAKE_RETURN_NOT_OK(expr)               \
  do {                                            \
    ::runlake::Status _st = (expr);               \
    if (!_st.ok()) return _st;                    \
  } while (0)

#define RUNLAKE_ASSIGN_OR_RAISE_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#define RUNLAKE_ASSIGN_OR_RAISE(lhs, rexpr) \
  RUNLAKE_ASSIGN_OR_RAISE_IMPL(RUNLAKE_CONCAT(_res_, __LINE__), lhs, rexpr)
