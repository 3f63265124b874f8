#include "server/http_json.h"

#include <string>

namespace warden::server {

HttpResponse JsonResponse(int status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.headers.Set("Content-Type", "application/json");
  // Replacement characters instead of an exception for invalid UTF-8 that a
  // handler copied from host data.
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message,
                           std::string_view field) {
  Json error = Json::object();
  error["code"] = std::string(code);
  error["message"] = std::string(message);
  if (!field.empty()) error["field"] = std::string(field);
  Json body = Json::object();
  body["error"] = std::move(error);
  return JsonResponse(status, body);
}

HttpResponse ErrorResponseForStatus(const Status& status, std::string_view request_id) {
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kInternal:
    case StatusCode::kIoError:
      break;
    case StatusCode::kInvalidArgument:
    case StatusCode::kParseError:
      return ErrorResponse(400, kErrorInvalidArgument, status.message());
    case StatusCode::kNotFound:
      return ErrorResponse(404, kErrorNotFound, status.message());
    case StatusCode::kPermissionDenied:
      return ErrorResponse(403, kErrorForbidden, status.message());
    case StatusCode::kTimeout:
      return ErrorResponse(503, kErrorTimeout, status.message());
    case StatusCode::kUnavailable:
      return ErrorResponse(503, kErrorUnavailable, status.message());
  }
  std::string message = "internal error";
  if (!request_id.empty()) message += " (request id " + std::string(request_id) + ")";
  return ErrorResponse(500, kErrorInternal, message);
}

Result<Json> ParseJsonBody(const HttpRequest& request, HttpResponse* error_response) {
  std::string_view type = request.headers.Get("Content-Type").value_or("");
  std::string_view media = type.substr(0, type.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  if (!EqualsIgnoreCase(media, "application/json")) {
    *error_response =
        ErrorResponse(415, kErrorUnsupportedMediaType, "the request body must be application/json");
    return InvalidArgument("request body is not application/json");
  }
  Json parsed = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    *error_response = ErrorResponse(400, kErrorInvalidJson, "the request body is not valid JSON");
    return InvalidArgument("request body is not valid JSON");
  }
  return parsed;
}

}  // namespace warden::server
