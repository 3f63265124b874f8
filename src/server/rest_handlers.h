// Registration of the REST API's handlers, one function per resource file
// (system_handlers.cc, session_handlers.cc, users_handlers.cc,
// tokens_handlers.cc, enroll_secrets_handlers.cc, hosts_handlers.cc,
// audit_handlers.cc), and RegisterRestHandlers for all of them. The agent
// channel registers its own (agent_channel_handlers.h) into the same
// ApiHandlers. Each handler relies on the dispatcher (api_dispatch.h) for
// authentication, roles and validation, and writes its audit entry in the
// same Store::Write as its change.
#pragma once

#include "server/api_call.h"
#include "server/handler_support.h"

namespace warden::server {

void RegisterSystemHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterSessionHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterUsersHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterTokensHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterEnrollSecretsHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterHostsHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterAuditHandlers(ApiHandlers& handlers, const HandlerContext& context);

// Every function above.
void RegisterRestHandlers(ApiHandlers& handlers, const HandlerContext& context);

}  // namespace warden::server
