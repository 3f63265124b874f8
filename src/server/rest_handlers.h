// Registration of the REST API's handlers, one function per resource file
// (system_handlers.cc, session_handlers.cc, users_handlers.cc,
// tokens_handlers.cc, enroll_secrets_handlers.cc, hosts_handlers.cc,
// host_inventory_handlers.cc, problems_handlers.cc,
// vulnerability_findings_handlers.cc, vulnerabilities_handlers.cc,
// feed_handlers.cc, audit_handlers.cc, channels_handlers.cc,
// scans_handlers.cc, labels_handlers.cc, live_queries_handlers.cc,
// saved_queries_handlers.cc, recipes_handlers.cc, suppressions_handlers.cc,
// cloud_handlers.cc), and
// RegisterRestHandlers for all of them. The agent
// channel registers its own (agent_channel_handlers.h) into the same
// ApiHandlers. Each handler relies on the dispatcher (api_dispatch.h) for
// authentication, roles and validation, and writes its audit entry in the
// same Store::Write as its change.
#pragma once

#include <optional>
#include <variant>

#include "server/api_call.h"
#include "server/handler_support.h"
#include "server/row_text.h"

namespace warden::server {

void RegisterSystemHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterSessionHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterUsersHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterTokensHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterEnrollSecretsHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterHostsHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterAuditHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterHostInventoryHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterProblemsHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterVulnerabilityFindingsHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterChannelsHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterScansHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterLabelsHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterVulnerabilitiesHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterFeedHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterLiveQueriesHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterSavedQueriesHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterRecipesHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterSuppressionsHandlers(ApiHandlers& handlers, const HandlerContext& context);
void RegisterCloudHandlers(ApiHandlers& handlers, const HandlerContext& context);

// nullopt when the host of the path parameter `host_id` exists; the answer
// (404 E_HOST_NOT_FOUND, or the store's error) otherwise.
std::optional<HttpResponse> CheckHostExists(const HandlerContext& context, const ApiCall& call);

// The JSON of a problem (the spec's Problem; `details` only when asked), of
// one of its history entries, and of a vulnerability finding.
Json ProblemJson(const store::FleetProblem& problem, bool with_details);
// A problem as a list row (ProblemJson without details), written as text.
void ProblemRowText(const store::FleetProblem& problem, RowText& out);
Json ProblemHistoryJson(const store::ProblemHistoryRecord& entry);
Json VulnerabilityFindingJson(const store::VulnerabilityFindingRow& finding);
// The JSON of a live query (the spec's LiveQuery) and of one of its
// targeted hosts (LiveQueryHost).
Json LiveQueryJson(const store::LiveQuery& query);
Json LiveQueryHostJson(const store::LiveQueryTarget& target);

// The JSON of a target (the spec's RecipeTarget), and a body's target read
// and checked (hosts must exist), or the 422 answer naming `/target/...`.
// Recipe attachments and suppressions share them.
Json RecipeTargetJson(const store::RecipeTarget& target);
std::variant<store::RecipeTarget, HttpResponse> ReadRecipeTarget(const HandlerContext& context,
                                                                 const ApiCall& call,
                                                                 const Json& target);

// Every function above.
void RegisterRestHandlers(ApiHandlers& handlers, const HandlerContext& context);

}  // namespace warden::server
