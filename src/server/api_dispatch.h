// ApiDispatcher binds every operation of the API contract (api/openapi.yaml,
// loaded as api::OpenApiSpec) to the HttpRouter and runs the steps every
// call goes through before its handler:
//
//   1. route      one route per operation (method + path template), with the
//                 operation's body limit (x-warden-max-body-bytes, else 1 MiB)
//   2. identify   operations with security: [] take no credentials at all;
//                 the others ask the Authenticator (401 for credentials that
//                 are missing, unknown, expired or revoked; 403
//                 E_CSRF_FAILED for a cookie without its CSRF proof);
//                 osquery's API (security: [{osqueryNodeKey: []}]) reads
//                 the node key from the body, and its failures here answer
//                 osquery's shape (osquery_wire.h), not the envelope
//   3. authorise  auth::MayCall(principal role, x-warden-roles), else 403
//                 E_FORBIDDEN (a node key reaches only node operations, a
//                 user never a node operation); a user who must change a
//                 one-time password reaches only getSession, changePassword
//                 and logout (403 E_PASSWORD_CHANGE_REQUIRED)
//   4. validate   api::ValidateRequest (parameters, body; 4xx naming the field)
//   5. audit      ApiCall::audit prefilled with actor, action (operationId),
//                 time, source address and request id
//   6. handle     the ApiHandlers entry of the operationId, sync or async; an
//                 operation without one answers 501 E_NOT_IMPLEMENTED
//
// So the authorisation matrix holds for every operation of the spec, with or
// without a handler. Not here: what operations do (the *_handlers.cc files),
// HTTP framing (http_server.h), TLS.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

#include "api/openapi_spec.h"
#include "core/status.h"
#include "server/api_call.h"
#include "server/authenticator.h"
#include "server/http_router.h"

namespace warden::server {

// Counters for /metrics. Thread-safe.
struct ApiDispatchStats {
  std::atomic<uint64_t> calls{0};            // reached a handler
  std::atomic<uint64_t> unauthenticated{0};  // 401 before the handler
  std::atomic<uint64_t> forbidden{0};        // 403 before the handler
  std::atomic<uint64_t> invalid{0};          // refused by validation
  std::atomic<uint64_t> not_implemented{0};  // 501
};

class ApiDispatcher {
 public:
  // Every pointer must outlive the dispatcher and the router it registers
  // into; `handlers` is read, never changed, once Register has run.
  ApiDispatcher(const api::OpenApiSpec* spec, const ApiHandlers* handlers,
                const Authenticator* authenticator);

  // Adds one route per operation. Operations without a body limit of their
  // own get `default_max_body_bytes`. InvalidArgument when the router
  // refuses a template (a duplicate route).
  Status Register(HttpRouter& router, size_t default_max_body_bytes = api::kDefaultMaxBodyBytes);

  const ApiDispatchStats& stats() const { return stats_; }

  // Steps 2-6 for one request already matched to `operation` (what the
  // routes run; public for tests that drive the dispatcher without sockets).
  void Dispatch(const api::Operation& operation, HttpRequest& request, HttpResponder responder);

 private:
  const api::OpenApiSpec* spec_;
  const ApiHandlers* handlers_;
  const Authenticator* authenticator_;
  ApiDispatchStats stats_;
};

// The audit actor of a principal: user, api_token or node (the store's
// ActorType), its id and name.
void FillAuditActor(const Principal& principal, store::AuditEntry* entry);

}  // namespace warden::server
