#include "server/api_dispatch.h"

#include <string>
#include <utility>
#include <variant>

#include "api/request_validator.h"
#include "auth/role.h"
#include "server/http_json.h"
#include "server/osquery_wire.h"

namespace warden::server {
namespace {

// What a user with a one-time password may still do.
bool AllowedBeforePasswordChange(std::string_view operation_id) {
  return operation_id == "getSession" || operation_id == "changePassword" ||
         operation_id == "logout";
}

}  // namespace

void FillAuditActor(const Principal& principal, store::AuditEntry* entry) {
  switch (principal.kind) {
    case Principal::Kind::kAnonymous:
      entry->actor_type = store::ActorType::kSystem;
      entry->actor_id.clear();
      entry->actor_name.clear();
      return;
    case Principal::Kind::kSession:
      entry->actor_type = store::ActorType::kUser;
      entry->actor_id = std::to_string(principal.user_id);
      break;
    case Principal::Kind::kApiToken:
      entry->actor_type = store::ActorType::kApiToken;
      entry->actor_id = std::to_string(principal.token_id);
      break;
    case Principal::Kind::kNode:
      entry->actor_type = store::ActorType::kNode;
      entry->actor_id = std::to_string(principal.host_id);
      break;
  }
  entry->actor_name = principal.name;
}

ApiDispatcher::ApiDispatcher(const api::OpenApiSpec* spec, const ApiHandlers* handlers,
                             const Authenticator* authenticator)
    : spec_(spec), handlers_(handlers), authenticator_(authenticator) {}

Status ApiDispatcher::Register(HttpRouter& router, size_t default_max_body_bytes) {
  for (const api::Operation& operation : spec_->operations()) {
    RouteOptions options;
    options.max_body_bytes = operation.max_body_bytes > api::kDefaultMaxBodyBytes
                                 ? operation.max_body_bytes
                                 : default_max_body_bytes;
    options.access = operation.operation_id;
    options.slow_timeout = std::chrono::seconds(operation.timeout_seconds);
    const api::Operation* op = &operation;
    Status added = router.AddAsync(
        operation.method, operation.path,
        [this, op](HttpRequest& request, HttpResponder responder) {
          Dispatch(*op, request, std::move(responder));
        },
        std::move(options));
    if (!added.ok()) return added.WithContext("operation " + operation.operation_id);
  }
  return Status::Ok();
}

void ApiDispatcher::Dispatch(const api::Operation& operation, HttpRequest& request,
                             HttpResponder responder) {
  ApiCall call;
  call.operation = &operation;
  call.http = &request;

  // osquery's API answers every failure in osquery's own shape (it reads
  // only `error` and `node_invalid`, never the status).
  auto refuse = [&operation](const api::ApiError& error) {
    return operation.osquery ? OsqueryErrorResponse(error) : ErrorResponse(error);
  };
  if (operation.authenticated) {
    auto outcome = operation.node_key_in_body ? authenticator_->AuthenticateOsqueryNode(request)
                                              : authenticator_->Authenticate(request);
    if (auto* error = std::get_if<api::ApiError>(&outcome)) {
      if (error->http_status == 401) stats_.unauthenticated++;
      if (error->http_status == 403) stats_.forbidden++;
      responder.Send(refuse(*error));
      return;
    }
    call.principal = std::get<Principal>(std::move(outcome));
    if (!call.principal.authenticated()) {
      stats_.unauthenticated++;
      responder.Send(ErrorResponse(api::kErrorUnauthenticated,
                                   "this operation needs a session or an API token"));
      return;
    }
    if (!operation.Allows(call.principal.role)) {
      stats_.forbidden++;
      responder.Send(
          ErrorResponse(api::kErrorForbidden, std::string(auth::RoleName(call.principal.role)) +
                                                  " may not call " + operation.operation_id));
      return;
    }
    if (call.principal.must_change_password &&
        !AllowedBeforePasswordChange(operation.operation_id)) {
      stats_.forbidden++;
      responder.Send(
          ErrorResponse(api::kErrorPasswordChangeRequired,
                        "change the one-time password first (PUT /api/v1/session/password)"));
      return;
    }
  }

  api::ApiRequest view;
  view.path_params = request.path_params;
  view.query = request.query;
  view.headers = request.headers.fields();
  view.body = request.body;
  api::ValidatedRequest validated;
  if (std::optional<api::ApiError> invalid = api::ValidateRequest(operation, view, &validated)) {
    stats_.invalid++;
    responder.Send(refuse(*invalid));
    return;
  }
  call.params = std::move(validated.params);
  call.body = std::move(validated.body);

  call.audit.time = authenticator_->Now();
  FillAuditActor(call.principal, &call.audit);
  call.audit.action = operation.operation_id;
  call.audit.source_ip = request.peer_address;
  call.audit.request_id = request.id;

  if (const ApiHandler* handler = handlers_->FindSync(operation.operation_id)) {
    stats_.calls++;
    responder.Send((*handler)(call));
    return;
  }
  if (const AsyncApiHandler* handler = handlers_->FindAsync(operation.operation_id)) {
    stats_.calls++;
    (*handler)(call, std::move(responder));
    return;
  }
  stats_.not_implemented++;
  responder.Send(ErrorResponse(api::kErrorNotImplemented,
                               operation.operation_id + " is not implemented by this server yet"));
}

}  // namespace warden::server
