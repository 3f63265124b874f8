#include "api/api_error.h"

#include <cassert>
#include <utility>

namespace warden::api {
namespace {

// The one table. Append only; never rename, renumber or reuse a code.
constexpr ErrorCodeInfo kErrorCodes[] = {
    {"E_BAD_REQUEST", 400, "The HTTP request is malformed (request line, headers, framing)."},
    {"E_INVALID_ARGUMENT", 400, "The request is malformed in a way no field names."},
    {"E_INVALID_JSON", 400, "The body is not valid JSON, or nests deeper than 64 levels."},
    {"E_UNAUTHENTICATED", 401, "No credentials, or credentials the server does not know."},
    {"E_INVALID_CREDENTIALS", 401, "Login refused: unknown user, wrong password or disabled user."},
    {"E_SESSION_EXPIRED", 401, "The console session ended (idle or absolute lifetime)."},
    {"E_TOKEN_EXPIRED", 401, "The API token is past its expiry or was revoked."},
    {"E_NODE_REVOKED", 401, "The node key was revoked (host revoked or re-enrolled)."},
    {"E_ENROLL_SECRET_INVALID", 401, "The enrol secret is unknown, expired or revoked."},
    {"E_FORBIDDEN", 403, "The caller's role or credential type may not do this."},
    {"E_CSRF_FAILED", 403, "A cookie-authenticated unsafe request without a valid CSRF token."},
    {"E_PASSWORD_CHANGE_REQUIRED", 403, "The user must change their one-time password first."},
    {"E_NOT_FOUND", 404, "No such route or resource."},
    {"E_USER_NOT_FOUND", 404, "No user with this id."},
    {"E_TOKEN_NOT_FOUND", 404, "No API token with this id (among those the caller may see)."},
    {"E_ENROLL_SECRET_NOT_FOUND", 404, "No enrol secret with this id."},
    {"E_HOST_NOT_FOUND", 404, "No host with this id."},
    {"E_PROBLEM_NOT_FOUND", 404, "No problem with this id."},
    {"E_VULNERABILITY_NOT_FOUND", 404,
     "No finding of this vulnerability id in the fleet or feeds."},
    {"E_SCAN_NOT_FOUND", 404, "No scan with this id."},
    {"E_QUERY_NOT_FOUND", 404, "No live query with this id."},
    {"E_SAVED_QUERY_NOT_FOUND", 404, "No saved query with this id."},
    {"E_CHANNEL_NOT_FOUND", 404, "No notification channel with this id."},
    {"E_RECIPE_NOT_FOUND", 404, "No recipe with this id."},
    {"E_RECIPE_ATTACHMENT_NOT_FOUND", 404, "No recipe attachment with this id."},
    {"E_SUPPRESSION_NOT_FOUND", 404, "No suppression with this id."},
    {"E_AUDIT_EVENT_NOT_FOUND", 404, "No audit event with this id."},
    {"E_CLOUD_ORGANISATION_NOT_FOUND", 404, "No cloud organisation with this id."},
    {"E_CLOUD_ACCOUNT_NOT_FOUND", 404, "No cloud account with this id."},
    {"E_CLOUD_SOURCE_NOT_FOUND", 404, "No cloud source with this id."},
    {"E_PACKAGE_NOT_FOUND", 404, "The server holds no package file of this name."},
    {"E_COMMAND_NOT_FOUND", 404, "No command with this id for this host."},
    {"E_METHOD_NOT_ALLOWED", 405, "The route exists but not for this method (see Allow)."},
    {"E_REQUEST_TIMEOUT", 408, "The client did not send the whole request in time."},
    {"E_CONFLICT", 409, "The request conflicts with the resource's current state."},
    {"E_NAME_TAKEN", 409, "Another resource of this kind already has this name."},
    {"E_LAST_ADMIN", 409, "The change would leave no enabled admin."},
    {"E_ALREADY_REVOKED", 409, "The credential is revoked; it cannot be rotated."},
    {"E_HOST_REVOKED", 409, "The host is revoked; it takes no commands."},
    {"E_PROBLEM_NOT_DISMISSED", 409, "Only a dismissed problem can be undismissed."},
    {"E_COMMAND_ALREADY_COMPLETED", 409, "The command already has a different result."},
    {"E_QUERY_NOT_RUNNING", 409, "The live query has ended (done or cancelled)."},
    {"E_QUERY_RESULTS_PRUNED", 409, "The live query's rows were deleted for retention."},
    {"E_RECIPE_ATTACHED", 409, "The recipe is attached to a target; detach it first."},
    {"E_CLOUD_ORGANISATION_NOT_EMPTY", 409,
     "The organisation still has accounts; delete or move them first."},
    {"E_REVISION_CONFLICT", 409,
     "The resource changed since the revision the change was made from."},
    {"E_AGENT_FEATURE_UNAVAILABLE", 409,
     "The host's agent (osquery) does not offer this Warden-only feature."},
    {"E_PAYLOAD_TOO_LARGE", 413, "The body exceeds the operation's limit."},
    {"E_UNSUPPORTED_MEDIA_TYPE", 415, "The body's Content-Type is not one the operation takes."},
    {"E_VALIDATION", 422, "A parameter or body member is wrong; `field` names it."},
    {"E_FEED_FORMAT", 422, "The uploaded file is not a feed format Warden reads."},
    {"E_RATE_LIMITED", 429, "Too many requests; retry after Retry-After seconds."},
    {"E_HEADERS_TOO_LARGE", 431, "The request header is larger than the server accepts."},
    {"E_INTERNAL", 500, "A server fault; the message names the request id for the log."},
    {"E_NO_RESPONSE", 500, "The handler finished without answering (a server bug)."},
    {"E_NOT_IMPLEMENTED", 501,
     "The operation is in the contract but this server does not do it yet."},
    {"E_UNAVAILABLE", 503, "The server or its store is not ready; retry later."},
    {"E_OVERLOADED", 503, "Too many connections or queued requests; retry after Retry-After."},
    {"E_TIMEOUT", 503, "An internal time budget ran out; retry later."},
};

}  // namespace

std::span<const ErrorCodeInfo> ErrorCodes() { return kErrorCodes; }

const ErrorCodeInfo* FindErrorCode(std::string_view code) {
  for (const ErrorCodeInfo& info : kErrorCodes) {
    if (info.code == code) return &info;
  }
  return nullptr;
}

Json ApiError::ToJson() const { return ErrorJson(code, message, field); }

ApiError MakeApiError(std::string_view code, std::string message, std::string field) {
  const ErrorCodeInfo* info = FindErrorCode(code);
  assert(info != nullptr && "error code missing from the table in api_error.cc");
  if (info == nullptr) info = FindErrorCode(kErrorInternal);
  ApiError error;
  error.code = std::string(info->code);
  error.http_status = info->http_status;
  error.message = std::move(message);
  error.field = std::move(field);
  return error;
}

Json ErrorJson(std::string_view code, std::string_view message, std::string_view field) {
  Json error = Json::object();
  error["code"] = std::string(code);
  error["message"] = std::string(message);
  if (!field.empty()) error["field"] = std::string(field);
  Json body = Json::object();
  body["error"] = std::move(error);
  return body;
}

}  // namespace warden::api
