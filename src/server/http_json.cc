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

HttpResponse ErrorResponse(std::string_view code, std::string_view message,
                           std::string_view field) {
  return ErrorResponse(api::MakeApiError(code, std::string(message), std::string(field)));
}

HttpResponse ErrorResponse(const api::ApiError& error) {
  return JsonResponse(error.http_status, error.ToJson());
}

HttpResponse ErrorResponseForStatus(const Status& status, std::string_view request_id) {
  switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kInternal:
    case StatusCode::kIoError:
      break;
    case StatusCode::kInvalidArgument:
    case StatusCode::kParseError:
      return ErrorResponse(api::kErrorInvalidArgument, status.message());
    case StatusCode::kNotFound:
      return ErrorResponse(api::kErrorNotFound, status.message());
    case StatusCode::kPermissionDenied:
      return ErrorResponse(api::kErrorForbidden, status.message());
    case StatusCode::kTimeout:
      return ErrorResponse(api::kErrorTimeout, status.message());
    case StatusCode::kUnavailable:
      return ErrorResponse(api::kErrorUnavailable, status.message());
  }
  std::string message = "internal error";
  if (!request_id.empty()) message += " (request id " + std::string(request_id) + ")";
  return ErrorResponse(api::kErrorInternal, message);
}

Result<Json> ParseJsonBody(const HttpRequest& request, HttpResponse* error_response) {
  std::string_view type = request.headers.Get("Content-Type").value_or("");
  std::string_view media = type.substr(0, type.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  if (!EqualsIgnoreCase(media, "application/json")) {
    *error_response =
        ErrorResponse(api::kErrorUnsupportedMediaType, "the request body must be application/json");
    return InvalidArgument("request body is not application/json");
  }
  Json parsed = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    *error_response = ErrorResponse(api::kErrorInvalidJson, "the request body is not valid JSON");
    return InvalidArgument("request body is not valid JSON");
  }
  return parsed;
}

}  // namespace warden::server
