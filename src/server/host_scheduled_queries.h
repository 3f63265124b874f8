// Which of the server's scheduled saved queries a host runs, and how they
// are handed to it: one ScheduledQuery (the spec's schema) per saved query
// whose enabled schedule targets the host, named "srv:<saved query name>"
// (the name the agent runs it under and reports its results with), sorted
// by that name so the config, and its ETag, change only when a schedule
// does. Targets match as a campaign's do when it is created (host ids,
// any of the labels, or all; then the os-release IDs); a revoked host runs
// nothing.
//
// The agent config (getAgentConfig) and the osquery-protocol config both
// call ScheduledQueriesForHost.
//
// Not here: storing schedules (store/saved_query_repository.h), running
// the queries (the agent), or results (record_ingest.h).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/finding.h"  // Json
#include "core/status.h"
#include "store/store.h"

namespace warden::server {

struct HostScheduledQuery {
  std::string name;  // "srv:<saved query name>"
  int64_t saved_query_id = 0;
  std::string sql;
  store::SavedQuerySchedule schedule;
};

// Whether `targets` (a campaign's or a schedule's) name `host`, revoked
// or not.
bool HostMatchesTargets(const store::LiveQueryTargetSpec& targets, const store::Host& host);

// Every enabled schedule that targets `host` (none for a revoked host),
// sorted by name.
Result<std::vector<HostScheduledQuery>> ScheduledQueriesForHost(store::Store& store,
                                                                const store::Host& host);

// As the agent config's `queries` member (the spec's ScheduledQuery).
Json ScheduledQueryJson(const HostScheduledQuery& query);
Json ScheduledQueriesJson(const std::vector<HostScheduledQuery>& queries);

}  // namespace warden::server
