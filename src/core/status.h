// Status and Result<T>: the one error convention of Warden. Every fallible
// function returns one of these; exceptions thrown by third-party libraries are
// caught where the library is called and turned into a Status there. A Status
// carries a code and a human message that names what failed and where (file,
// line, key, table, column). Context is prepended as an error travels up
// ("while importing feed X: line 3: ..."). Bugs are assertions, not Statuses.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace warden {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input from the user: SQL, config, rule, flag
  kNotFound,         // a file, table, column or record that does not exist
  kPermissionDenied,
  kIoError,      // the OS refused or failed a read/write
  kParseError,   // malformed data in a file or stream
  kTimeout,      // a budget ran out (query time, network)
  kUnavailable,  // a feature the host cannot provide (no eBPF, no rpmdb)
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message".
  Status WithContext(std::string_view context) const;
  // "message" alone; the code is for programs, the message for people.
  std::string ToString() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status ParseError(std::string m) { return {StatusCode::kParseError, std::move(m)}; }
inline Status Timeout(std::string m) { return {StatusCode::kTimeout, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
// An IoError whose message is "path: strerror(err)".
Status ErrnoStatus(std::string_view path, int err);

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(data_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(data_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace warden

#define WARDEN_CONCAT_INNER(a, b) a##b
#define WARDEN_CONCAT(a, b) WARDEN_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when it is not OK.
#define RETURN_IF_ERROR(expr)      \
  do {                             \
    ::warden::Status _st = (expr); \
    if (!_st.ok()) return _st;     \
  } while (0)

// ASSIGN_OR_RETURN(auto x, FunctionReturningResult());
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(WARDEN_CONCAT(_result_, __LINE__), lhs, expr)
// `tmp` is a name to declare and `lhs` may be a declaration ("auto x"):
// neither can be put in parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
