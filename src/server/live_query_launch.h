// Starting a live query (campaign) from another resource's handler: a
// saved query run now (runSavedQuery) goes through the same checks,
// target choice, single write (campaign, commands, targets, audit entry)
// and wake-up of the hosts' long-polls as createLiveQuery, so the two can
// never drift apart. Defined in live_queries_handlers.cc.
//
// Not here: what a saved query is (saved_queries_handlers.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "server/api_call.h"
#include "server/handler_support.h"

namespace warden::server {

// Runs `sql` (as it is) on the hosts `targets_body` names (its `targets`,
// `os_ids`, `offline_deadline` and `dry_run` members, as in
// LiveQueryRequest) and answers as createLiveQuery does (202 with the
// LiveQuery, 200 for a dry run, 422 naming the member at fault). The
// campaign records `saved_query_id` when given. The audit entry is the
// call's (its action is the call's operation).
HttpResponse LaunchLiveQuery(const HandlerContext& ctx, ApiCall& call, const Json& targets_body,
                             const std::string& sql, std::optional<int64_t> saved_query_id);

}  // namespace warden::server
