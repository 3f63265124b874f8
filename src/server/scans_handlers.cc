// Scans ("run now") and detector runs: runScan, listScans, exportScans,
// getScan, and per host runHostScan, listHostScans, exportHostScans.
//
// A scan asks its target hosts' agents to run detectors now: one
// run_detector command per host ({rule_ids, scan_id}; no rule ids means
// every detector enabled on the host), written in one Store::Write with
// the scan, its targets and the audit entry; once committed, each host's
// long-poll is woken, so an online agent takes it at once. Hosts are chosen
// by id (each must exist and not be revoked), by label (any of them) or all;
// revoked hosts are never targeted, since they take no commands. Offline
// hosts keep their command pending and take it when they return; a scan
// shows how many of its pending hosts are offline. How targets then move
// (delivered, answered, revoked) is scan_progress.h's.
//
// A host's scans list is its detector runs as its agent reported them
// (store/detector_run_repository.h): when, how long, how it ended, the next
// run, and the scan that asked for it.
//
// Not here: choosing which detectors exist on a host (the agent answers a
// rule it does not run with a failed result), dry runs in the audit log
// (a dry run changes nothing).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "server/command_hub.h"
#include "server/list_response.h"
#include "server/osquery_handlers.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

constexpr std::string_view kErrorScanNotFound = "E_SCAN_NOT_FOUND";
constexpr std::string_view kErrorHostRevoked = "E_HOST_REVOKED";

ListBinding ScanListBinding() {
  ListBinding b;
  b.sort_fields["requested_at"] = "requested_at";
  b.filters["host_id"] = IdFilter("host_id");
  b.filters["state"] = OneOfFilter("state", {"pending", "running", "done"});
  return b;
}

ListBinding DetectorRunListBinding() {
  ListBinding b;
  for (const char* field : {"started_at", "rule_id", "duration_ms"}) b.sort_fields[field] = field;
  b.filters["host_id"] = IdFilter("host_id");  // the path parameter
  b.filters["rule_id"] = AnyValueFilter("rule_id");
  b.filters["outcome"] =
      OneOfFilter("outcome", {"succeeded", "failed", "timed_out", "skipped", "running"});
  b.filters["started_after"] = TimeFilter("started_at", store::FilterOp::kGe);
  b.filters["started_before"] = TimeFilter("started_at", store::FilterOp::kLt);
  return b;
}

Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

// Who asked, as the spec's Actor.
// The spec's Scan; `offline` is how many pending targets are offline now.
Json ScanJson(const store::Scan& s, int64_t offline) {
  Json host_ids = Json::array();
  for (int64_t id : s.host_ids) host_ids.push_back(std::to_string(id));
  return {{"id", std::to_string(s.id)},
          {"requested_at", TimeJson(s.requested_at)},
          {"requested_by",
           {{"type", s.requested_by.type},
            {"id", NullIfEmpty(s.requested_by.id)},
            {"name", NullIfEmpty(s.requested_by.name)}}},
          {"scope", s.scope},
          {"host_ids", std::move(host_ids)},
          {"labels", s.labels},
          {"rule_ids", s.rule_ids},
          {"state", s.state},
          {"counts",
           {{"targeted", s.counts.targeted},
            {"pending", s.counts.pending},
            {"running", s.counts.running},
            {"succeeded", s.counts.succeeded},
            {"failed", s.counts.failed},
            {"offline", offline}}}};
}

// The spec's DetectorRun.
Json DetectorRunJson(const store::DetectorRun& r) {
  return {{"id", std::to_string(r.id)},
          {"host_id", std::to_string(r.host_id)},
          {"rule_id", r.rule_id},
          {"started_at", TimeJson(r.started_at)},
          {"finished_at", TimeJson(r.finished_at)},
          {"duration_ms", r.duration_ms ? Json(*r.duration_ms) : Json(nullptr)},
          {"outcome", r.outcome},
          {"result", r.result ? Json(*r.result) : Json(nullptr)},
          {"next_run_at", TimeJson(r.next_run_at)},
          {"trigger", r.trigger},
          {"scan_id", r.scan_id ? Json(std::to_string(*r.scan_id)) : Json(nullptr)}};
}

const std::vector<std::string>& ScanColumns() {
  static const std::vector<std::string> columns = {"id",       "requested_at", "requested_by",
                                                   "scope",    "host_ids",     "labels",
                                                   "rule_ids", "state",        "counts"};
  return columns;
}

const std::vector<std::string>& DetectorRunColumns() {
  static const std::vector<std::string> columns = {
      "id",      "host_id", "rule_id",     "started_at", "finished_at", "duration_ms",
      "outcome", "result",  "next_run_at", "trigger",    "scan_id"};
  return columns;
}

std::vector<std::string> StringList(const Json& body, const char* key) {
  std::vector<std::string> out;
  if (auto it = body.find(key); it != body.end() && it->is_array()) {
    for (const Json& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

class ScansApi {
 public:
  explicit ScansApi(const HandlerContext& ctx) : ctx_(ctx) {}

  bool Online(const store::Host& host, store::EpochMs now) const {
    return HostOnline(host, now, ctx_.host_online_window_ms);
  }

  // The scan as the API shows it (with its offline count now).
  Result<Json> Render(const store::Scan& scan) const {
    int64_t offline = 0;
    if (scan.counts.pending > 0) {
      ASSIGN_OR_RETURN(offline, ctx_.store->scans().CountPendingOnHostsSeenBefore(
                                    scan.id, ctx_.Now() - ctx_.host_online_window_ms));
    }
    return ScanJson(scan, offline);
  }

  // The scan, its targets' commands and targets, and the audit entry, in
  // one write; the hosts' long-polls are woken once it is committed.
  Result<store::Scan> Queue(const ApiCall& call, const store::NewScan& request,
                            const std::vector<int64_t>& host_ids) const {
    store::AuditEntry entry = call.audit;
    entry.target_type = "scan";
    const std::string created_by = request.requested_by.type + ":" + request.requested_by.id;
    auto done =
        ctx_.store
            ->Write([&](store::StoreWriter& w) -> Result<store::Scan> {
              ASSIGN_OR_RETURN(store::Scan scan, w.scans().Create(request));
              const std::string args =
                  Json{{"rule_ids", request.rule_ids}, {"scan_id", std::to_string(scan.id)}}.dump();
              for (int64_t host_id : host_ids) {
                store::NewAgentCommand command;
                command.host_id = host_id;
                command.type = "run_detector";
                command.args_json = args;
                command.created_by = created_by;
                command.created_at = request.requested_at;
                ASSIGN_OR_RETURN(store::AgentCommandRow row, w.commands().Create(command));
                RETURN_IF_ERROR(
                    w.scans().AddTarget(scan.id, host_id, row.id, request.requested_at));
              }
              scan.counts.targeted = scan.counts.pending = static_cast<int64_t>(host_ids.size());
              entry.target_id = std::to_string(scan.id);
              entry.after_json = AuditJson(ScanJson(scan, 0));
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return scan;
            })
            .Wait();
    if (done.ok() && ctx_.command_hub != nullptr) {
      for (int64_t host_id : host_ids) ctx_.command_hub->Notify(host_id);
    }
    return done;
  }

  // The answer to a queued scan: 202 with the scan as stored now.
  HttpResponse Accepted(const ApiCall& call, const store::Scan& queued) const {
    auto stored = ctx_.store->scans().Get(queued.id);
    if (!stored.ok()) return StoreErrorResponse(stored.status(), call);
    Result<Json> shown = Render(stored->value_or(queued));
    if (!shown.ok()) return StoreErrorResponse(shown.status(), call);
    return JsonResponse(202, *shown);
  }

  HttpResponse RunScan(ApiCall& call) const {
    const Json& body = *call.body;
    const store::EpochMs now = ctx_.Now();
    store::NewScan request;
    request.requested_at = now;
    request.requested_by = ActorOf(call.principal);
    request.scope = body.value("scope", std::string());
    request.rule_ids = StringList(body, "rule_ids");
    // Members of another scope are refused, never ignored: an ignored
    // host list would widen the scan.
    if (request.scope != "hosts" && body.contains("host_ids")) {
      return ApiErrorResponse(api::kErrorValidation, "host_ids: only with scope hosts",
                              "/host_ids");
    }
    if (request.scope != "labels" && body.contains("labels")) {
      return ApiErrorResponse(api::kErrorValidation, "labels: only with scope labels", "/labels");
    }

    std::map<int64_t, store::Host> targets;
    if (request.scope == "hosts") {
      const std::vector<std::string> ids = StringList(body, "host_ids");
      for (size_t i = 0; i < ids.size(); ++i) {
        const std::string field = "/host_ids/" + std::to_string(i);
        std::optional<int64_t> id = ParseId(ids[i]);
        auto host =
            id ? ctx_.store->hosts().Get(*id) : Result<std::optional<store::Host>>(std::nullopt);
        if (!host.ok()) return StoreErrorResponse(host.status(), call);
        if (!host->has_value()) {
          return ApiErrorResponse(api::kErrorValidation,
                                  field + ": no host " + ids[i].substr(0, 128), field);
        }
        if ((*host)->revoked_at) {
          return ApiErrorResponse(api::kErrorValidation,
                                  field + ": host " + ids[i] + " (" + (*host)->hostname +
                                      ") is revoked; it takes no commands",
                                  field);
        }
        if (IsOsqueryHost(**host)) {
          return ApiErrorResponse(api::kErrorValidation,
                                  field + ": host " + ids[i] + " (" + (*host)->hostname +
                                      ") runs osquery; run-now scans need the Warden agent",
                                  field);
        }
        if (targets.emplace(*id, **host).second) request.host_ids.push_back(*id);
      }
    } else if (request.scope == "labels") {
      request.labels = StringList(body, "labels");
      for (const std::string& label : request.labels) {
        Status collected = CollectTargetableHosts(*ctx_.store, label, &targets);
        if (!collected.ok()) return StoreErrorResponse(collected, call);
      }
    } else {
      Status collected = CollectTargetableHosts(*ctx_.store, std::nullopt, &targets);
      if (!collected.ok()) return StoreErrorResponse(collected, call);
    }

    // Labels and all: osquery hosts cannot run Warden's detectors, so
    // they are left out rather than given a command they would reject.
    for (auto it = targets.begin(); it != targets.end();)
      it = IsOsqueryHost(it->second) ? targets.erase(it) : std::next(it);
    int64_t offline = 0;
    std::vector<int64_t> host_ids;
    for (const auto& [id, host] : targets) {
      host_ids.push_back(id);
      if (!Online(host, now)) ++offline;
    }
    if (body.value("dry_run", false)) {
      return JsonResponse(200, Json{{"dry_run", true},
                                    {"targeted", static_cast<int64_t>(host_ids.size())},
                                    {"offline", offline}});
    }
    if (host_ids.empty()) {
      if (request.scope == "labels") {
        return ApiErrorResponse(api::kErrorValidation,
                                "labels: no Warden agent's host that is not revoked carries any "
                                "of them; the scan would ask nobody",
                                "/labels");
      }
      return ApiErrorResponse(api::kErrorValidation,
                              "scope: no Warden agent's host is enrolled that is not revoked; "
                              "the scan would ask nobody",
                              "/scope");
    }
    auto queued = Queue(call, request, host_ids);
    if (!queued.ok()) return StoreErrorResponse(queued.status(), call);
    return Accepted(call, *queued);
  }

  HttpResponse RunHostScan(ApiCall& call) const {
    std::optional<int64_t> id = IdParam(call, "host_id");
    if (!id) return ApiErrorResponse(api::kErrorHostNotFound, "no such host", "host_id");
    auto host = ctx_.store->hosts().Get(*id);
    if (!host.ok()) return StoreErrorResponse(host.status(), call);
    if (!host->has_value()) {
      return ApiErrorResponse(api::kErrorHostNotFound, "no such host", "host_id");
    }
    if ((*host)->revoked_at) {
      return ApiErrorResponse(kErrorHostRevoked, "host " + std::to_string(*id) + " (" +
                                                     (*host)->hostname +
                                                     ") is revoked; it takes no commands");
    }
    if (IsOsqueryHost(**host)) {
      return ApiErrorResponse(kErrorAgentFeatureUnavailable,
                              "host " + std::to_string(*id) + " (" + (*host)->hostname +
                                  ") runs osquery; run-now scans need the Warden agent");
    }
    store::NewScan request;
    request.requested_at = ctx_.Now();
    request.requested_by = ActorOf(call.principal);
    request.scope = "hosts";
    request.host_ids = {*id};
    if (call.body) request.rule_ids = StringList(*call.body, "rule_ids");
    auto queued = Queue(call, request, {*id});
    if (!queued.ok()) return StoreErrorResponse(queued.status(), call);
    return Accepted(call, *queued);
  }

 private:
  HandlerContext ctx_;
};

}  // namespace

void RegisterScansHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  auto api = std::make_shared<const ScansApi>(ctx);
  auto scans = std::make_shared<const ListBinding>(ScanListBinding());
  auto runs = std::make_shared<const ListBinding>(DetectorRunListBinding());
  auto scan_not_found = [] {
    return ApiErrorResponse(kErrorScanNotFound, "no such scan", "scan_id");
  };

  handlers.Add("runScan", [api](ApiCall& call) { return api->RunScan(call); });
  handlers.Add("runHostScan", [api](ApiCall& call) { return api->RunHostScan(call); });

  handlers.Add("listScans", [ctx, api, scans](ApiCall& call) {
    auto query = BuildListQuery(call, *scans);
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->scans().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    Json items = Json::array();
    for (const store::Scan& scan : page->items) {
      Result<Json> item = api->Render(scan);
      if (!item.ok()) return StoreErrorResponse(item.status(), call);
      items.push_back(std::move(*item));
    }
    return JsonResponse(
        200, Json{{"items", std::move(items)},
                  {"next_cursor", page->next_cursor ? Json(*page->next_cursor) : Json(nullptr)},
                  {"total", page->total}});
  });

  handlers.AddAsync("exportScans", [ctx, api, scans](ApiCall& call, HttpResponder responder) {
    auto query = BuildListQuery(call, *scans);
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    Json shown;  // of the row being exported
    StreamExport<store::Scan>(
        call, std::move(responder), "scans", ScanColumns(), std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::Scan>& row) {
          return ctx.store->scans().Export(q, [&](const store::Scan& scan) -> Status {
            ASSIGN_OR_RETURN(shown, api->Render(scan));
            return row(scan);
          });
        },
        [&](const store::Scan&) { return shown; });
  });

  handlers.Add("getScan", [ctx, api, scan_not_found](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "scan_id");
    if (!id) return scan_not_found();
    auto scan = ctx.store->scans().Get(*id);
    if (!scan.ok()) return StoreErrorResponse(scan.status(), call);
    if (!scan->has_value()) return scan_not_found();
    Result<Json> shown = api->Render(**scan);
    if (!shown.ok()) return StoreErrorResponse(shown.status(), call);
    return JsonResponse(200, *shown);
  });

  handlers.Add("listHostScans", [ctx, runs](ApiCall& call) {
    if (auto refused = CheckHostExists(ctx, call)) return *refused;
    auto query = BuildListQuery(call, *runs);
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->detector_runs().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, DetectorRunJson));
  });

  handlers.AddAsync("exportHostScans", [ctx, runs](ApiCall& call, HttpResponder responder) {
    if (auto refused = CheckHostExists(ctx, call)) {
      responder.Send(*refused);
      return;
    }
    auto query = BuildListQuery(call, *runs);
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    StreamExport<store::DetectorRun>(
        call, std::move(responder), "host-scans", DetectorRunColumns(),
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::DetectorRun>& row) {
          return ctx.store->detector_runs().Export(q, row);
        },
        DetectorRunJson);
  });
}

}  // namespace warden::server
