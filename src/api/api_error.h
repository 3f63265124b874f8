// The stable error codes of the server's API and the one error envelope
//   {"error": {"code": "E_HOST_NOT_FOUND", "message": "...", "field": "host_id"}}
// Every code lives in one table (api_error.cc) with the HTTP status it is
// answered with and what it means. A code never changes spelling, status or
// meaning once shipped: clients match on it. New codes go into the table and
// into the spec's ErrorCode enum (api/openapi.yaml); a test keeps the two equal.
//
// The server's HTTP layer (src/server/http_json.h) answers every error,
// its own included (405, 413, 431, 503), with a code from this table.
// This file builds error values and their JSON; it does not write HTTP
// responses (the server does, at its edge) and does not map Status codes to
// API codes (that needs context only the handler has).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/finding.h"  // Json

namespace warden::api {

// Codes used by name in C++; the table has every code.
inline constexpr std::string_view kErrorBadRequest = "E_BAD_REQUEST";
inline constexpr std::string_view kErrorInvalidArgument = "E_INVALID_ARGUMENT";
inline constexpr std::string_view kErrorInvalidJson = "E_INVALID_JSON";
inline constexpr std::string_view kErrorUnauthenticated = "E_UNAUTHENTICATED";
inline constexpr std::string_view kErrorInvalidCredentials = "E_INVALID_CREDENTIALS";
inline constexpr std::string_view kErrorSessionExpired = "E_SESSION_EXPIRED";
inline constexpr std::string_view kErrorTokenExpired = "E_TOKEN_EXPIRED";
inline constexpr std::string_view kErrorNodeRevoked = "E_NODE_REVOKED";
inline constexpr std::string_view kErrorEnrollSecretInvalid = "E_ENROLL_SECRET_INVALID";
inline constexpr std::string_view kErrorForbidden = "E_FORBIDDEN";
inline constexpr std::string_view kErrorCsrfFailed = "E_CSRF_FAILED";
inline constexpr std::string_view kErrorPasswordChangeRequired = "E_PASSWORD_CHANGE_REQUIRED";
inline constexpr std::string_view kErrorNotFound = "E_NOT_FOUND";
inline constexpr std::string_view kErrorUserNotFound = "E_USER_NOT_FOUND";
inline constexpr std::string_view kErrorTokenNotFound = "E_TOKEN_NOT_FOUND";
inline constexpr std::string_view kErrorEnrollSecretNotFound = "E_ENROLL_SECRET_NOT_FOUND";
inline constexpr std::string_view kErrorHostNotFound = "E_HOST_NOT_FOUND";
inline constexpr std::string_view kErrorProblemNotFound = "E_PROBLEM_NOT_FOUND";
inline constexpr std::string_view kErrorAuditEventNotFound = "E_AUDIT_EVENT_NOT_FOUND";
inline constexpr std::string_view kErrorMethodNotAllowed = "E_METHOD_NOT_ALLOWED";
inline constexpr std::string_view kErrorRequestTimeout = "E_REQUEST_TIMEOUT";
inline constexpr std::string_view kErrorConflict = "E_CONFLICT";
inline constexpr std::string_view kErrorNameTaken = "E_NAME_TAKEN";
inline constexpr std::string_view kErrorLastAdmin = "E_LAST_ADMIN";
inline constexpr std::string_view kErrorAlreadyRevoked = "E_ALREADY_REVOKED";
inline constexpr std::string_view kErrorPayloadTooLarge = "E_PAYLOAD_TOO_LARGE";
inline constexpr std::string_view kErrorUnsupportedMediaType = "E_UNSUPPORTED_MEDIA_TYPE";
inline constexpr std::string_view kErrorValidation = "E_VALIDATION";
inline constexpr std::string_view kErrorRateLimited = "E_RATE_LIMITED";
inline constexpr std::string_view kErrorHeadersTooLarge = "E_HEADERS_TOO_LARGE";
inline constexpr std::string_view kErrorInternal = "E_INTERNAL";
inline constexpr std::string_view kErrorNoResponse = "E_NO_RESPONSE";
inline constexpr std::string_view kErrorNotImplemented = "E_NOT_IMPLEMENTED";
inline constexpr std::string_view kErrorUnavailable = "E_UNAVAILABLE";
inline constexpr std::string_view kErrorOverloaded = "E_OVERLOADED";
inline constexpr std::string_view kErrorTimeout = "E_TIMEOUT";

struct ErrorCodeInfo {
  std::string_view code;     // "E_HOST_NOT_FOUND"
  int http_status;           // 404
  std::string_view meaning;  // for docs/api.md and people reading logs
};

// Every code, in table order (grouped by HTTP status).
std::span<const ErrorCodeInfo> ErrorCodes();
// The entry of `code`, or nullptr when there is no such code.
const ErrorCodeInfo* FindErrorCode(std::string_view code);

// One API error. `field` is a parameter name or a JSON pointer into the
// request body ("/records/3/kind"); empty when the error is not about one
// input. `http_status` always agrees with the table entry of `code`.
struct ApiError {
  std::string code;
  int http_status = 500;
  std::string message;
  std::string field;

  // The envelope: {"error": {"code", "message", "field"?}}.
  Json ToJson() const;
};

// An error with a code from the table; its HTTP status comes from the table.
// A code missing from the table is a bug: it asserts in debug builds and is
// answered as E_INTERNAL in release builds, so no unknown code ever leaves.
ApiError MakeApiError(std::string_view code, std::string message, std::string field = {});

// The envelope for the given parts, `field` omitted when empty.
Json ErrorJson(std::string_view code, std::string_view message, std::string_view field = {});

}  // namespace warden::api
