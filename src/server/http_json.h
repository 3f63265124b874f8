// JSON in and out of HTTP messages: responses with Content-Type
// application/json, the one error envelope every API error uses
//   {"error": {"code": "E_NOT_FOUND", "message": "...", "field": "..."}}
// ("field" only when the error is about one input field), the mapping of a
// Status to an HTTP status and error code (done here, at the edge, and nowhere
// else), and reading a JSON request body.
//
// Error codes are part of the API contract: once shipped a code never changes
// meaning or spelling. Add new ones here, beside the others.
#pragma once

#include <string_view>

#include "core/finding.h"  // Json
#include "core/status.h"
#include "server/http_message.h"

namespace warden::server {

inline constexpr std::string_view kErrorBadRequest = "E_BAD_REQUEST";  // 400, malformed HTTP
inline constexpr std::string_view kErrorInvalidArgument = "E_INVALID_ARGUMENT";             // 400
inline constexpr std::string_view kErrorInvalidJson = "E_INVALID_JSON";                     // 400
inline constexpr std::string_view kErrorForbidden = "E_FORBIDDEN";                          // 403
inline constexpr std::string_view kErrorNotFound = "E_NOT_FOUND";                           // 404
inline constexpr std::string_view kErrorMethodNotAllowed = "E_METHOD_NOT_ALLOWED";          // 405
inline constexpr std::string_view kErrorRequestTimeout = "E_REQUEST_TIMEOUT";               // 408
inline constexpr std::string_view kErrorPayloadTooLarge = "E_PAYLOAD_TOO_LARGE";            // 413
inline constexpr std::string_view kErrorUnsupportedMediaType = "E_UNSUPPORTED_MEDIA_TYPE";  // 415
inline constexpr std::string_view kErrorHeadersTooLarge = "E_HEADERS_TOO_LARGE";            // 431
inline constexpr std::string_view kErrorInternal = "E_INTERNAL";                            // 500
inline constexpr std::string_view kErrorNoResponse = "E_NO_RESPONSE";                       // 500
inline constexpr std::string_view kErrorOverloaded = "E_OVERLOADED";                        // 503
inline constexpr std::string_view kErrorUnavailable = "E_UNAVAILABLE";                      // 503
inline constexpr std::string_view kErrorTimeout = "E_TIMEOUT";                              // 503

// `body` serialised compactly, Content-Type: application/json.
HttpResponse JsonResponse(int status, const Json& body);

// The error envelope. `field` is omitted when empty.
HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message,
                           std::string_view field = {});

// Maps a non-OK Status to the HTTP status and error code its StatusCode
// stands for (kInvalidArgument/kParseError 400, kNotFound 404,
// kPermissionDenied 403, kTimeout and kUnavailable 503, others 500). The
// message of a 500 is replaced by a generic one naming the request id:
// internal messages (paths, SQL) are for the log, not for clients.
HttpResponse ErrorResponseForStatus(const Status& status, std::string_view request_id = {});

// The request body parsed as JSON. Content-Type must be application/json
// (parameters such as charset allowed); errors come back as a ready 400/415
// response.
Result<Json> ParseJsonBody(const HttpRequest& request, HttpResponse* error_response);

}  // namespace warden::server
