#include "server/host_scheduled_queries.h"

#include <algorithm>
#include <map>

#include "server/handler_support.h"

namespace warden::server {

bool HostMatchesTargets(const store::LiveQueryTargetSpec& targets, const store::Host& host) {
  bool named = targets.all || std::find(targets.host_ids.begin(), targets.host_ids.end(),
                                        host.id) != targets.host_ids.end();
  for (const std::string& label : targets.labels) {
    if (named) break;
    named = std::find(host.labels.begin(), host.labels.end(), label) != host.labels.end();
  }
  if (!named) return false;
  return targets.os_ids.empty() || std::find(targets.os_ids.begin(), targets.os_ids.end(),
                                             host.os.id) != targets.os_ids.end();
}

Result<std::vector<HostScheduledQuery>> ScheduledQueriesForHost(store::Store& store,
                                                                const store::Host& host) {
  std::vector<HostScheduledQuery> out;
  if (host.revoked_at) return out;
  ASSIGN_OR_RETURN(std::vector<store::SavedQuery> scheduled, store.saved_queries().Scheduled());
  for (store::SavedQuery& saved : scheduled) {
    if (!saved.schedule || !saved.schedule->enabled) continue;
    if (!HostMatchesTargets(saved.schedule->targets, host)) continue;
    HostScheduledQuery q;
    q.name = store::ScheduledQueryName(saved.name);
    q.saved_query_id = saved.id;
    q.sql = std::move(saved.sql);
    q.schedule = std::move(*saved.schedule);
    out.push_back(std::move(q));
  }
  std::sort(out.begin(), out.end(), [](const HostScheduledQuery& a, const HostScheduledQuery& b) {
    return a.name < b.name;
  });
  return out;
}

Json ScheduledQueryJson(const HostScheduledQuery& q) {
  const store::SavedQuerySchedule& s = q.schedule;
  return Json{
      {"name", q.name},
      {"query", q.sql},
      {"schedule",
       {{"interval_seconds", s.interval_seconds ? Json(*s.interval_seconds) : Json(nullptr)},
        {"daily_at", s.daily_at},
        {"splay_percent", s.splay_percent},
        {"run_at_start", s.run_at_start}}},
      {"mode", s.mode},
      {"removed", s.report_removed},
      {"enabled", s.enabled},
      {"timeout_ms", s.timeout_ms},
      {"max_memory_bytes", s.max_memory_bytes}};
}

Json ScheduledQueriesJson(const std::vector<HostScheduledQuery>& queries) {
  Json out = Json::array();
  for (const HostScheduledQuery& q : queries) out.push_back(ScheduledQueryJson(q));
  return out;
}

}  // namespace warden::server
