// JSON in and out of HTTP messages: responses with Content-Type
// application/json, the one error envelope every API error uses
//   {"error": {"code": "E_NOT_FOUND", "message": "...", "field": "..."}}
// ("field" only when the error is about one input field), the mapping of a
// Status to an HTTP status and error code (done here, at the edge, and nowhere
// else), and reading a JSON request body.
//
// Error codes and their HTTP statuses come from the one table in
// src/api/api_error.h (add new codes there): a response's status is always
// the table's status for its code.
#pragma once

#include <string_view>

#include "api/api_error.h"
#include "core/finding.h"  // Json
#include "core/status.h"
#include "server/http_message.h"

namespace warden::server {

// `body` serialised compactly, Content-Type: application/json.
HttpResponse JsonResponse(int status, const Json& body);

// The error envelope with the status of `code` in the error-code table.
// `field` is omitted when empty.
HttpResponse ErrorResponse(std::string_view code, std::string_view message,
                           std::string_view field = {});
HttpResponse ErrorResponse(const api::ApiError& error);

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
