#include "core/status.h"

#include <cstring>

namespace warden {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kPermissionDenied:
      return "permission denied";
    case StatusCode::kIoError:
      return "i/o error";
    case StatusCode::kParseError:
      return "parse error";
    case StatusCode::kTimeout:
      return "timeout";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kInternal:
      return "internal error";
  }
  return "unknown";
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string m(context);
  m += ": ";
  m += message_;
  return {code_, std::move(m)};
}

Status ErrnoStatus(std::string_view path, int err) {
  std::string m(path);
  m += ": ";
  m += std::strerror(err);
  StatusCode code = (err == ENOENT || err == ENOTDIR) ? StatusCode::kNotFound
                    : (err == EACCES || err == EPERM) ? StatusCode::kPermissionDenied
                                                      : StatusCode::kIoError;
  return {code, std::move(m)};
}

}  // namespace warden
