// The contract between the API dispatcher and the handlers of the REST API
// and the agent channel: what a handler receives for one call of an
// operation of api/openapi.yaml, and how handlers are registered by
// operationId.
//
// Before a handler runs, the dispatcher (api_dispatch.h) has matched the
// request to its operation, authenticated the caller (session cookie +
// CSRF, API token, or node key), checked the caller's role against the
// operation's x-warden-roles, and validated parameters and body against the
// spec. A handler therefore never checks roles or shapes again; it checks
// only what needs the store (does the host exist, is the name taken).
//
// Audit: for operations marked x-warden-audit the handler fills
// `call.audit` (target, before/after) and appends it with AuditEntryFor()
// inside the same Store::Write as the change, so a change without its entry
// cannot be committed.
//
// This file says nothing about HTTP framing, TLS or routing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/openapi_spec.h"
#include "core/finding.h"  // Json
#include "server/http_message.h"
#include "server/http_responder.h"
#include "store/audit_log.h"

namespace warden::server {

// Who is calling. Exactly one of the ids is set for an authenticated call.
struct Principal {
  enum class Kind { kAnonymous, kSession, kApiToken, kNode };
  Kind kind = Kind::kAnonymous;
  api::Role role = api::Role::kViewer;  // meaningless for kAnonymous
  int64_t user_id = 0;                  // kSession, kApiToken (the token's owner)
  int64_t token_id = 0;                 // kApiToken
  int64_t host_id = 0;                  // kNode
  std::string name;                     // user name, token name or hostname
  std::string session_id_sha256;        // kSession
  // The user must change a one-time password before anything else
  // (kSession, kApiToken): the dispatcher lets through only getSession,
  // changePassword and logout.
  bool must_change_password = false;

  bool authenticated() const { return kind != Kind::kAnonymous; }
};

// One call of one operation, validated.
struct ApiCall {
  const api::Operation* operation = nullptr;
  HttpRequest* http = nullptr;  // the raw request (headers, peer, raw body)
  Principal principal;
  // Typed parameters by name (path, query, header), defaults filled in.
  Json params = Json::object();
  // The parsed JSON body; nullopt when the operation takes none or the
  // media type is not JSON (read http->body then).
  std::optional<Json> body;
  // Prefilled with actor, action (operationId), source ip, request id and
  // time; the handler sets target and before/after.
  store::AuditEntry audit;
};

// Answers on the worker thread it runs on.
using ApiHandler = std::function<HttpResponse(ApiCall& call)>;
// Answers through the responder, now or later (long-poll, streamed export).
// `call.http` and the call itself live only until the handler returns: copy
// what an answer given later needs.
using AsyncApiHandler = std::function<void(ApiCall& call, HttpResponder responder)>;

// Handlers by operationId. Operations of the spec without a handler answer
// 501 E_NOT_IMPLEMENTED (after authentication and authorisation, so the
// authorisation matrix holds for them too).
class ApiHandlers {
 public:
  void Add(std::string operation_id, ApiHandler handler) {
    sync_[std::move(operation_id)] = std::move(handler);
  }
  void AddAsync(std::string operation_id, AsyncApiHandler handler) {
    async_[std::move(operation_id)] = std::move(handler);
  }
  const ApiHandler* FindSync(std::string_view id) const {
    auto it = sync_.find(id);
    return it == sync_.end() ? nullptr : &it->second;
  }
  const AsyncApiHandler* FindAsync(std::string_view id) const {
    auto it = async_.find(id);
    return it == async_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, ApiHandler, std::less<>> sync_;
  std::map<std::string, AsyncApiHandler, std::less<>> async_;
};

}  // namespace warden::server
