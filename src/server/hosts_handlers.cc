// listHosts, exportHosts, getHost, revokeHost, updateHostLabels: enrolled
// hosts as the store knows them. A host is online when it was seen within
// HandlerContext::host_online_window_ms. Counts, detector states and
// inventory times come from the fleet-state records the agent channel
// stores (read per host shown); until a host has sent any they are zero,
// empty and null.
#include <algorithm>
#include <set>
#include <string>

#include "core/risk_level.h"
#include "server/list_response.h"
#include "server/osquery_handlers.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

ListBinding HostListBinding(const HandlerContext& ctx) {
  ListBinding b;
  b.sort_fields = {{"hostname", "hostname"},
                   {"last_seen_at", "last_seen_at"},
                   {"enrolled_at", "enrolled_at"},
                   {"agent_version", "agent_version"}};
  b.filters["label"] = AnyValueFilter("label");
  b.filters["q"] = TextSearchFilter({"hostname", "machine_id", "instance_id"});
  b.filters["os_id"] = EqualsFilter("os_id");
  b.filters["agent_version"] = EqualsFilter("agent_version");
  b.filters["duplicate_identity"] = EqualsFilter("duplicate_identity");
  // online / offline depend on the time of the request.
  const store::EpochMs window = ctx.host_online_window_ms;
  const Authenticator* clock = ctx.authenticator;
  b.filters["status"] = [window, clock](
                            std::string_view param, const Json& value,
                            std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    std::set<std::string> wanted;
    for (const Json& v : value) wanted.insert(v.get<std::string>());
    const store::EpochMs cutoff = clock->Now() - window;
    if (wanted.size() == 3) return std::nullopt;
    if (wanted == std::set<std::string>{"revoked"}) {
      out->push_back({"revoked", store::FilterOp::kEq, Value(int64_t{1})});
    } else if (wanted == std::set<std::string>{"online"}) {
      out->push_back({"revoked", store::FilterOp::kEq, Value(int64_t{0})});
      out->push_back({"last_seen_at", store::FilterOp::kGe, Value(cutoff)});
    } else if (wanted == std::set<std::string>{"offline"}) {
      out->push_back({"revoked", store::FilterOp::kEq, Value(int64_t{0})});
      out->push_back({"last_seen_at", store::FilterOp::kLt, Value(cutoff)});
    } else if (wanted == std::set<std::string>{"online", "offline"}) {
      out->push_back({"revoked", store::FilterOp::kEq, Value(int64_t{0})});
    } else {
      return api::MakeApiError(api::kErrorValidation, "status: give one value, or online,offline",
                               std::string(param));
    }
    return std::nullopt;
  };
  return b;
}

Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

}  // namespace

Result<HostFleetFacts> ReadHostFleetFacts(store::Store& store, int64_t host_id) {
  HostFleetFacts facts;
  ASSIGN_OR_RETURN(facts.counts, store.inventory().Counts(host_id));
  ASSIGN_OR_RETURN(facts.times, store.inventory().Times(host_id));
  ASSIGN_OR_RETURN(facts.detectors, store.inventory().Detectors(host_id));
  return facts;
}

Json HostJson(const store::Host& host, store::EpochMs now, store::EpochMs online_window_ms,
              const HostFleetFacts* facts) {
  const bool revoked = host.revoked_at && *host.revoked_at <= now;
  const bool online = HostOnline(host, now, online_window_ms);
  Json j = Json::object();
  j["id"] = std::to_string(host.id);
  j["hostname"] = host.hostname;
  j["machine_id"] = host.machine_id;
  j["instance_id"] = NullIfEmpty(host.instance_id);
  j["os"] = Json{{"name", host.os.name},
                 {"version", NullIfEmpty(host.os.version)},
                 {"id", NullIfEmpty(host.os.id)},
                 {"codename", NullIfEmpty(host.os.codename)}};
  j["kernel"] = NullIfEmpty(host.kernel);
  j["arch"] = NullIfEmpty(host.arch);
  j["agent"] = Json{{"type", IsOsqueryHost(host) ? "osquery" : "warden"},
                    {"version", host.agent_version},
                    {"unavailable", UnavailableFeatures(host)}};
  j["labels"] = host.labels;
  j["enrolled_at"] = TimeJson(host.enrolled_at);
  j["last_seen_at"] = host.last_seen_at > 0 ? TimeJson(host.last_seen_at) : Json(nullptr);
  j["online"] = online;
  j["status"] = revoked ? "revoked" : online ? "online" : "offline";
  j["duplicate_identity"] = host.duplicate_identity;
  j["revoked_at"] = TimeJson(host.revoked_at);
  j["enroll_secret"] = nullptr;
  const store::HostFleetCounts counts = facts ? facts->counts : store::HostFleetCounts{};
  Json by_risk = Json::object();
  for (RiskLevel level : {RiskLevel::kLow, RiskLevel::kMedium, RiskLevel::kHigh,
                          RiskLevel::kVeryHigh, RiskLevel::kExtreme}) {
    by_risk[std::string(RiskLevelName(level))] =
        counts.open_problems_by_risk[static_cast<int>(level)];
  }
  Json by_severity = Json::object();
  for (int rank = 0; rank <= 4; ++rank) {
    by_severity[std::string(store::SeverityName(rank))] = counts.vulnerabilities_by_severity[rank];
  }
  j["counts"] = Json{{"open_problems", counts.open_problems},
                     {"open_problems_by_risk", std::move(by_risk)},
                     {"dismissed_problems", counts.dismissed_problems},
                     {"vulnerabilities", counts.vulnerabilities},
                     {"vulnerabilities_by_severity", std::move(by_severity)},
                     {"open_ports", counts.open_ports},
                     {"packages", counts.packages}};
  const store::InventoryTimes times = facts ? facts->times : store::InventoryTimes{};
  j["inventory"] = Json{{"packages_at", TimeJson(times.packages_at)},
                        {"ports_at", TimeJson(times.ports_at)},
                        {"os_at", TimeJson(times.os_at)}};
  Json detectors = Json::array();
  if (facts) {
    for (const store::DetectorState& d : facts->detectors) {
      detectors.push_back({{"rule_id", d.rule_id},
                           {"enabled", d.enabled},
                           {"last_run_at", TimeJson(d.last_run_at)},
                           {"duration_ms", d.duration_ms ? Json(*d.duration_ms) : Json(nullptr)},
                           {"outcome", d.outcome ? Json(*d.outcome) : Json(nullptr)},
                           {"result", d.result ? Json(*d.result) : Json(nullptr)},
                           {"next_run_at", TimeJson(d.next_run_at)},
                           {"running", d.running},
                           {"runs", d.runs},
                           {"failures", d.failures}});
    }
  }
  j["detectors"] = std::move(detectors);
  return j;
}

void RegisterHostsHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  auto binding = std::make_shared<const ListBinding>(HostListBinding(ctx));
  auto render = [ctx](const store::Host& host) {
    return HostJson(host, ctx.Now(), ctx.host_online_window_ms);
  };
  // The host with what the agent channel stored about it.
  auto render_full = [ctx](const store::Host& host) -> Result<Json> {
    ASSIGN_OR_RETURN(HostFleetFacts facts, ReadHostFleetFacts(*ctx.store, host.id));
    return HostJson(host, ctx.Now(), ctx.host_online_window_ms, &facts);
  };
  auto not_found = [] {
    return ApiErrorResponse(api::kErrorHostNotFound, "no such host", "host_id");
  };

  handlers.Add("listHosts", [ctx, binding, render_full](ApiCall& call) {
    auto query = BuildListQuery(call, *binding);
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->hosts().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    Json items = Json::array();
    for (const store::Host& host : page->items) {
      Result<Json> item = render_full(host);
      if (!item.ok()) return StoreErrorResponse(item.status(), call);
      items.push_back(std::move(*item));
    }
    return JsonResponse(
        200, Json{{"items", std::move(items)},
                  {"next_cursor", page->next_cursor ? Json(*page->next_cursor) : Json(nullptr)},
                  {"total", page->total}});
  });

  handlers.AddAsync("exportHosts", [ctx, binding](ApiCall& call, HttpResponder responder) {
    auto query = BuildListQuery(call, *binding);
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    HostFleetFacts facts;  // of the row being exported
    StreamExport<store::Host>(
        call, std::move(responder), "hosts",
        {"id", "hostname", "machine_id", "instance_id", "os", "kernel", "arch", "agent", "labels",
         "enrolled_at", "last_seen_at", "online", "status", "duplicate_identity", "revoked_at"},
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::Host>& row) {
          return ctx.store->hosts().Export(q, [&](const store::Host& host) -> Status {
            ASSIGN_OR_RETURN(facts, ReadHostFleetFacts(*ctx.store, host.id));
            return row(host);
          });
        },
        [&](const store::Host& host) {
          return HostJson(host, ctx.Now(), ctx.host_online_window_ms, &facts);
        });
  });

  handlers.Add("getHost", [ctx, render_full, not_found](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "host_id");
    if (!id) return not_found();
    auto host = ctx.store->hosts().Get(*id);
    if (!host.ok()) return StoreErrorResponse(host.status(), call);
    if (!host->has_value()) return not_found();
    Result<Json> shown = render_full(**host);
    if (!shown.ok()) return StoreErrorResponse(shown.status(), call);
    return JsonResponse(200, *shown);
  });

  handlers.Add("revokeHost", [ctx, render, render_full, not_found](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "host_id");
    if (!id) return not_found();
    const store::EpochMs now = ctx.Now();
    store::AuditEntry entry = call.audit;
    entry.target_type = "host";
    entry.target_id = std::to_string(*id);
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Result<std::optional<store::Host>> {
                      ASSIGN_OR_RETURN(std::optional<store::Host> before, w.hosts().Get(*id));
                      if (!before) return before;
                      if (before->revoked_at) return before;  // already revoked: kept as it was
                      ASSIGN_OR_RETURN(bool revoked, w.hosts().Revoke(*id, now));
                      if (!revoked) return std::optional<store::Host>();
                      // Its scans stop waiting for it: it takes no commands now.
                      RETURN_IF_ERROR(
                          w.scans().FailTargetsOfHost(*id, "the host was revoked", now).status());
                      ASSIGN_OR_RETURN(std::optional<store::Host> after, w.hosts().Get(*id));
                      entry.before_json = AuditJson(render(*before));
                      if (after) entry.after_json = AuditJson(render(*after));
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return after;
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->has_value()) return not_found();
    Result<Json> shown = render_full(**done);
    if (!shown.ok()) return StoreErrorResponse(shown.status(), call);
    return JsonResponse(200, *shown);
  });

  handlers.Add("updateHostLabels", [ctx, render, not_found](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "host_id");
    if (!id) return not_found();
    std::vector<std::string> add, remove;
    if (call.body->contains("add")) add = (*call.body)["add"].get<std::vector<std::string>>();
    if (call.body->contains("remove"))
      remove = (*call.body)["remove"].get<std::vector<std::string>>();
    store::AuditEntry entry = call.audit;
    entry.target_type = "host";
    entry.target_id = std::to_string(*id);
    using Labels = std::optional<std::vector<std::string>>;
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Result<Labels> {
                      ASSIGN_OR_RETURN(std::optional<store::Host> host, w.hosts().Get(*id));
                      if (!host) return Labels();
                      std::set<std::string> labels(host->labels.begin(), host->labels.end());
                      for (const std::string& l : remove) labels.erase(l);
                      for (const std::string& l : add) labels.insert(l);
                      std::vector<std::string> next(labels.begin(), labels.end());
                      ASSIGN_OR_RETURN(bool set, w.hosts().SetLabels(*id, next));
                      if (!set) return Labels();
                      entry.before_json = AuditJson(Json{{"labels", host->labels}});
                      entry.after_json = AuditJson(Json{{"labels", next}});
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return Labels(next);
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->has_value()) return not_found();
    AgentConfigsChanged(ctx);  // label attachments may now match it, or no longer
    return JsonResponse(200, Json{{"host_id", std::to_string(*id)}, {"labels", **done}});
  });
}

}  // namespace warden::server
