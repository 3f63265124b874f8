// Live queries (campaigns): createLiveQuery, listLiveQueries,
// exportLiveQueries, getLiveQuery, listLiveQueryHosts, exportLiveQueryHosts,
// listLiveQueryResults, exportLiveQueryResults, streamLiveQuery,
// rerunLiveQuery, diffLiveQuery, cancelLiveQuery, and the agent's side,
// pushAgentQueryRows.
//
// A live query sends SQL to its target hosts' agents now: one live_query
// command per host ({query_id, sql}; the SQL as given, never interpolated
// into anything), written in one Store::Write with the campaign, its
// targets and the audit entry; once committed, each host's long-poll is
// woken, so an online agent takes it at once. Hosts are chosen by id (each
// must exist and not be revoked), by label (any of them) or all, then by
// os-release ID; revoked hosts are never targeted. A host offline now is an
// `offline` target without a command, unless the caller waits for offline
// hosts (`offline_deadline`): then it keeps its command until then. Every
// campaign has a deadline (the answer timeout, or the offline deadline when
// later) after which hosts that have not answered are given up by the
// housekeeping job (ExpireLiveQueries).
//
// The agent sends the rows in chunks (pushAgentQueryRows: columns and
// value arrays, stored as one JSON object per row), then the command's
// result; scan_progress.cc turns the result into the target's done or
// error. Cancel withdraws the open targets' commands (recorded as failed,
// so they are never delivered again) in the same write as the audit entry.
//
// Not here: running SQL (the agent), following a campaign as it runs
// (live_query_streams.h), choosing which SQL is allowed (any: the agent's
// engine is read-only over host state, with its time and memory budgets).
#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/time_format.h"
#include "server/command_hub.h"
#include "server/list_response.h"
#include "server/live_query_launch.h"
#include "server/live_query_streams.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

constexpr std::string_view kErrorQueryNotFound = "E_QUERY_NOT_FOUND";
constexpr std::string_view kErrorQueryNotRunning = "E_QUERY_NOT_RUNNING";
constexpr std::string_view kErrorQueryResultsPruned = "E_QUERY_RESULTS_PRUNED";

HttpResponse CommandNotFound() {
  return ApiErrorResponse("E_COMMAND_NOT_FOUND", "no live query command of this host",
                          "command_id");
}

// The answer to a rows chunk once the store has it.
HttpResponse RowsAnswer(const Result<store::ChunkOutcome>& stored, int64_t seq,
                        std::string_view request_id) {
  if (!stored.ok()) return StoreErrorResponse(stored.status(), request_id);
  switch (stored->update) {
    case store::ChunkUpdate::kStored:
    case store::ChunkUpdate::kDuplicate:
      return JsonResponse(200, Json{{"stored", stored->stored},
                                    {"duplicate", stored->update == store::ChunkUpdate::kDuplicate},
                                    {"truncated", stored->truncated}});
    case store::ChunkUpdate::kOutOfOrder:
      return ApiErrorResponse(api::kErrorValidation,
                              "seq: chunk " + std::to_string(seq) + " came before an earlier chunk",
                              "/seq");
    case store::ChunkUpdate::kClosed:
      return ApiErrorResponse(kErrorQueryNotRunning,
                              "live query " + std::to_string(stored->query_id) +
                                  " no longer waits for this host (cancelled or given up)");
    case store::ChunkUpdate::kNotFound:
      break;
  }
  return CommandNotFound();
}

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

ListBinding LiveQueryListBinding() {
  ListBinding b;
  b.sort_fields["created_at"] = "created_at";
  b.sort_fields["id"] = "id";
  b.filters["host_id"] = IdFilter("host_id");
  b.filters["state"] = OneOfFilter("state", {"running", "done", "cancelled"});
  b.filters["created_by"] = EqualsFilter("created_by");
  b.filters["saved_query_id"] = IdFilter("saved_query_id");
  b.filters["since"] = TimeFilter("created_at", store::FilterOp::kGe);
  b.filters["until"] = TimeFilter("created_at", store::FilterOp::kLt);
  return b;
}

ListBinding LiveQueryHostListBinding() {
  ListBinding b;
  for (const char* field : {"host_id", "returned_rows", "duration_ms"})
    b.sort_fields[field] = field;
  b.filters["query_id"] = IdFilter("query_id");  // the path parameter
  b.filters["state"] =
      OneOfFilter("state", {"pending", "running", "done", "error", "offline", "cancelled"});
  return b;
}

ListBinding LiveQueryResultListBinding() {
  ListBinding b;
  b.sort_fields["id"] = "id";
  b.sort_fields["host_id"] = "host_id";
  b.filters["query_id"] = IdFilter("query_id");  // the path parameter
  b.filters["host_id"] = IdFilter("host_id");
  return b;
}

const std::vector<std::string>& LiveQueryColumns() {
  static const std::vector<std::string> columns = {"id",
                                                   "created_at",
                                                   "created_by",
                                                   "sql",
                                                   "targets",
                                                   "os_ids",
                                                   "rerun_of",
                                                   "state",
                                                   "deadline_at",
                                                   "offline_deadline",
                                                   "counts",
                                                   "stored_rows",
                                                   "stored_bytes",
                                                   "max_rows",
                                                   "max_bytes",
                                                   "truncated_at",
                                                   "columns",
                                                   "finished_at",
                                                   "results_pruned_at",
                                                   "saved_query_id"};
  return columns;
}

const std::vector<std::string>& LiveQueryHostColumns() {
  static const std::vector<std::string> columns = {"host_id",       "hostname",    "state",
                                                   "returned_rows", "stored_rows", "duration_ms",
                                                   "error",         "started_at",  "finished_at"};
  return columns;
}

// A stored row's JSON object (an object in any case).
Json RowObject(const std::string& row_json) {
  Json row = Json::parse(row_json, nullptr, false);
  return row.is_object() ? row : Json::object();
}

// A value of a pushed row as stored: strings, numbers, booleans and null as
// they are; anything nested as its JSON text.
Json CellValue(const Json& v) {
  if (v.is_string() || v.is_number() || v.is_boolean() || v.is_null()) return v;
  return Dump(v);
}

std::vector<std::string> StringList(const Json& object, const char* key) {
  std::vector<std::string> out;
  if (auto it = object.find(key); it != object.end() && it->is_array()) {
    for (const Json& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::optional<int64_t> Integer(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

}  // namespace

Json LiveQueryJson(const store::LiveQuery& q) {
  Json host_ids = Json::array();
  for (int64_t id : q.targets.host_ids) host_ids.push_back(std::to_string(id));
  return {
      {"id", std::to_string(q.id)},
      {"created_at", TimeJson(q.created_at)},
      {"created_by",
       {{"type", q.created_by.type},
        {"id", NullIfEmpty(q.created_by.id)},
        {"name", NullIfEmpty(q.created_by.name)}}},
      {"sql", q.sql},
      {"targets",
       {{"host_ids", std::move(host_ids)}, {"labels", q.targets.labels}, {"all", q.targets.all}}},
      {"os_ids", q.targets.os_ids},
      {"rerun_of", q.rerun_of ? Json(std::to_string(*q.rerun_of)) : Json(nullptr)},
      {"state", q.state},
      {"deadline_at", TimeJson(q.deadline_at)},
      {"offline_deadline", TimeJson(q.offline_deadline_at)},
      {"counts",
       {{"targeted", q.counts.targeted},
        {"pending", q.counts.pending},
        {"running", q.counts.running},
        {"done", q.counts.done},
        {"error", q.counts.error},
        {"offline", q.counts.offline},
        {"cancelled", q.counts.cancelled}}},
      {"stored_rows", q.stored_rows},
      {"stored_bytes", q.stored_bytes},
      {"max_rows", q.max_rows},
      {"max_bytes", q.max_bytes},
      {"truncated_at", q.truncated_at ? Json(*q.truncated_at) : Json(nullptr)},
      {"columns", q.columns},
      {"finished_at", TimeJson(q.finished_at)},
      {"results_pruned_at", TimeJson(q.results_pruned_at)},
      {"saved_query_id",
       q.saved_query_id ? Json(std::to_string(*q.saved_query_id)) : Json(nullptr)}};
}

Json LiveQueryHostJson(const store::LiveQueryTarget& t) {
  return {{"host_id", std::to_string(t.host_id)},
          {"hostname", t.hostname},
          {"state", store::LiveQueryTargetStateName(t.state)},
          {"returned_rows", t.returned_rows},
          {"stored_rows", t.stored_rows},
          {"duration_ms", t.duration_ms ? Json(*t.duration_ms) : Json(nullptr)},
          {"error", t.error ? Json(*t.error) : Json(nullptr)},
          {"started_at", TimeJson(t.started_at)},
          {"finished_at", TimeJson(t.finished_at)}};
}

namespace {

class LiveQueriesApi {
 public:
  explicit LiveQueriesApi(const HandlerContext& ctx)
      : ctx_(ctx), pending_bytes_(std::make_shared<std::atomic<int64_t>>(0)) {}

  bool Online(const store::Host& host, store::EpochMs now) const {
    return HostOnline(host, now, ctx_.host_online_window_ms);
  }

  // The hosts `spec` names now. `strict`: a host id that does not exist or
  // is revoked is an error naming it (a re-run skips it instead).
  std::variant<std::map<int64_t, store::Host>, HttpResponse> ChooseHosts(
      const ApiCall& call, const store::LiveQueryTargetSpec& spec, bool strict) const {
    std::map<int64_t, store::Host> hosts;
    if (spec.all) {
      Status collected = CollectTargetableHosts(*ctx_.store, std::nullopt, &hosts);
      if (!collected.ok()) return StoreErrorResponse(collected, call);
    }
    for (size_t i = 0; i < spec.host_ids.size(); ++i) {
      const std::string field = "/targets/host_ids/" + std::to_string(i);
      auto host = ctx_.store->hosts().Get(spec.host_ids[i]);
      if (!host.ok()) return StoreErrorResponse(host.status(), call);
      const bool revoked = host->has_value() && (*host)->revoked_at.has_value();
      if (!host->has_value() || revoked) {
        if (!strict) continue;
        return ApiErrorResponse(
            api::kErrorValidation,
            field + ": host " + std::to_string(spec.host_ids[i]) +
                (revoked ? " is revoked; it takes no commands" : " does not exist"),
            field);
      }
      hosts.emplace(spec.host_ids[i], **host);
    }
    for (const std::string& label : spec.labels) {
      Status collected = CollectTargetableHosts(*ctx_.store, label, &hosts);
      if (!collected.ok()) return StoreErrorResponse(collected, call);
    }
    if (!spec.os_ids.empty()) {
      for (auto it = hosts.begin(); it != hosts.end();) {
        const bool wanted = std::find(spec.os_ids.begin(), spec.os_ids.end(), it->second.os.id) !=
                            spec.os_ids.end();
        it = wanted ? std::next(it) : hosts.erase(it);
      }
    }
    return hosts;
  }

  // The campaign, its commands and targets, and the audit entry, in one
  // write; the hosts' long-polls are woken once it is committed.
  Result<store::LiveQuery> Start(const ApiCall& call, const store::NewLiveQuery& request,
                                 const std::map<int64_t, store::Host>& hosts) const {
    store::AuditEntry entry = call.audit;
    entry.target_type = "live_query";
    const store::EpochMs now = request.created_at;
    const std::string created_by = request.created_by.type + ":" + request.created_by.id;
    std::vector<int64_t> asked;
    for (const auto& [id, host] : hosts)
      if (Online(host, now) || request.offline_deadline_at) asked.push_back(id);
    auto done =
        ctx_.store
            ->Write([&](store::StoreWriter& w) -> Result<store::LiveQuery> {
              ASSIGN_OR_RETURN(store::LiveQuery query, w.live_queries().Create(request));
              const std::string args =
                  Dump(Json{{"query_id", std::to_string(query.id)}, {"sql", request.sql}});
              for (const auto& [id, host] : hosts) {
                const bool ask = Online(host, now) || request.offline_deadline_at.has_value();
                std::optional<int64_t> command_id;
                if (ask) {
                  store::NewAgentCommand command;
                  command.host_id = id;
                  command.type = "live_query";
                  command.args_json = args;
                  command.created_by = created_by;
                  command.created_at = now;
                  ASSIGN_OR_RETURN(store::AgentCommandRow row, w.commands().Create(command));
                  command_id = row.id;
                }
                RETURN_IF_ERROR(
                    w.live_queries().AddTarget(query.id, id, host.hostname, command_id,
                                               ask ? store::LiveQueryTargetState::kPending
                                                   : store::LiveQueryTargetState::kOffline,
                                               now));
              }
              entry.target_id = std::to_string(query.id);
              Json shown = LiveQueryJson(query);
              shown["counts"]["targeted"] = static_cast<int64_t>(hosts.size());
              entry.after_json = AuditJson(shown);
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return query;
            })
            .Wait();
    if (done.ok() && ctx_.command_hub != nullptr) {
      for (int64_t host_id : asked) ctx_.command_hub->Notify(host_id);
    }
    return done;
  }

  HttpResponse Accepted(const ApiCall& call, const store::LiveQuery& started) const {
    auto stored = ctx_.store->live_queries().Get(started.id);
    if (!stored.ok()) return StoreErrorResponse(stored.status(), call);
    return JsonResponse(202, LiveQueryJson(stored->value_or(started)));
  }

  store::NewLiveQuery NewQuery(const ApiCall& call, store::EpochMs now) const {
    store::NewLiveQuery n;
    n.created_at = now;
    n.created_by = ActorOf(call.principal);
    n.deadline_at = now + ctx_.live_queries.answer_timeout_ms;
    n.max_rows = ctx_.live_queries.max_rows;
    n.max_bytes = ctx_.live_queries.max_bytes;
    return n;
  }

  HttpResponse Create(ApiCall& call) const {
    const Json& body = *call.body;
    return CreateFrom(call, body, body.value("sql", std::string()), std::nullopt);
  }

  // A campaign of `sql` on the targets of `body` (a LiveQueryRequest
  // without its sql, or a SavedQueryRunRequest).
  HttpResponse CreateFrom(ApiCall& call, const Json& body, const std::string& sql,
                          std::optional<int64_t> saved_query_id) const {
    const store::EpochMs now = ctx_.Now();
    store::NewLiveQuery request = NewQuery(call, now);
    request.sql = sql;
    request.saved_query_id = saved_query_id;
    const Json targets = body.value("targets", Json::object());
    request.targets.all = targets.value("all", false);
    request.targets.labels = StringList(targets, "labels");
    request.targets.os_ids = StringList(body, "os_ids");
    const std::vector<std::string> ids = StringList(targets, "host_ids");
    if (request.targets.all && (!ids.empty() || !request.targets.labels.empty())) {
      return ApiErrorResponse(api::kErrorValidation,
                              "targets: all comes alone, without host_ids or labels",
                              "/targets/all");
    }
    if (!request.targets.all && ids.empty() && request.targets.labels.empty()) {
      return ApiErrorResponse(api::kErrorValidation, "targets: name host_ids, labels, or all: true",
                              "/targets");
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      std::optional<int64_t> id = ParseId(ids[i]);
      if (!id) {
        const std::string field = "/targets/host_ids/" + std::to_string(i);
        return ApiErrorResponse(api::kErrorValidation,
                                field + ": " + ids[i].substr(0, 128) + " is not a host id", field);
      }
      request.targets.host_ids.push_back(*id);
    }
    if (auto it = body.find("offline_deadline"); it != body.end() && it->is_string()) {
      std::optional<int64_t> seconds = ParseRfc3339(it->get<std::string>());
      if (!seconds)
        return ApiErrorResponse(api::kErrorValidation,
                                "offline_deadline: expected an RFC 3339 time", "/offline_deadline");
      const store::EpochMs at = *seconds * 1000;
      if (at <= now)
        return ApiErrorResponse(api::kErrorValidation, "offline_deadline: must be in the future",
                                "/offline_deadline");
      if (at - now > ctx_.live_queries.max_offline_wait_ms)
        return ApiErrorResponse(
            api::kErrorValidation,
            "offline_deadline: at most " +
                std::to_string(ctx_.live_queries.max_offline_wait_ms / 86'400'000) + " days ahead",
            "/offline_deadline");
      request.offline_deadline_at = at;
      request.deadline_at = std::max(request.deadline_at, at);
    }
    auto chosen = ChooseHosts(call, request.targets, /*strict=*/true);
    if (auto* refused = std::get_if<HttpResponse>(&chosen)) return std::move(*refused);
    const auto& hosts = std::get<std::map<int64_t, store::Host>>(chosen);
    int64_t offline = 0;
    for (const auto& [id, host] : hosts) offline += Online(host, now) ? 0 : 1;
    if (body.value("dry_run", false)) {
      return JsonResponse(200, Json{{"dry_run", true},
                                    {"targeted", static_cast<int64_t>(hosts.size())},
                                    {"offline", offline}});
    }
    if (hosts.empty()) {
      return ApiErrorResponse(api::kErrorValidation,
                              "targets: no host that is not revoked matches; the live query "
                              "would ask nobody",
                              "/targets");
    }
    auto started = Start(call, request, hosts);
    if (!started.ok()) return StoreErrorResponse(started.status(), call);
    return Accepted(call, *started);
  }

  // The campaign of the path, or the answer to give.
  std::variant<store::LiveQuery, HttpResponse> Find(const ApiCall& call) const {
    std::optional<int64_t> id = IdParam(call, "query_id");
    if (!id) return ApiErrorResponse(kErrorQueryNotFound, "no such live query", "query_id");
    auto query = ctx_.store->live_queries().Get(*id);
    if (!query.ok()) return StoreErrorResponse(query.status(), call);
    if (!query->has_value())
      return ApiErrorResponse(kErrorQueryNotFound, "no such live query", "query_id");
    return **query;
  }

  HttpResponse Rerun(ApiCall& call) const {
    auto found = Find(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::LiveQuery& earlier = std::get<store::LiveQuery>(found);
    const store::EpochMs now = ctx_.Now();
    store::NewLiveQuery request = NewQuery(call, now);
    request.sql = earlier.sql;
    request.targets = earlier.targets;
    request.rerun_of = earlier.id;
    request.saved_query_id = earlier.saved_query_id;
    auto chosen = ChooseHosts(call, request.targets, /*strict=*/false);
    if (auto* refused = std::get_if<HttpResponse>(&chosen)) return std::move(*refused);
    const auto& hosts = std::get<std::map<int64_t, store::Host>>(chosen);
    if (hosts.empty()) {
      return ApiErrorResponse(api::kErrorValidation,
                              "no host that is not revoked matches the live query's targets now",
                              "query_id");
    }
    auto started = Start(call, request, hosts);
    if (!started.ok()) return StoreErrorResponse(started.status(), call);
    return Accepted(call, *started);
  }

  HttpResponse Cancel(ApiCall& call) const {
    auto found = Find(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::LiveQuery& query = std::get<store::LiveQuery>(found);
    if (query.state != "running") {
      return ApiErrorResponse(kErrorQueryNotRunning,
                              "live query " + std::to_string(query.id) + " is " + query.state);
    }
    const store::EpochMs now = ctx_.Now();
    store::AuditEntry entry = call.audit;
    entry.target_type = "live_query";
    entry.target_id = std::to_string(query.id);
    entry.before_json = AuditJson(Json{{"state", query.state}});
    const std::string why = "the live query was cancelled by " + call.principal.name;
    auto done =
        ctx_.store
            ->Write([&](store::StoreWriter& w) -> Result<bool> {
              ASSIGN_OR_RETURN(std::optional<std::vector<store::WithdrawnCommand>> withdrawn,
                               w.live_queries().Cancel(query.id, now));
              if (!withdrawn) return false;
              for (const store::WithdrawnCommand& c : *withdrawn) {
                store::AgentCommandOutcome outcome;
                outcome.status = "failed";
                outcome.error = why;
                outcome.finished_at = now;
                RETURN_IF_ERROR(
                    w.commands().RecordResult(c.host_id, c.command_id, outcome).status());
              }
              entry.after_json = AuditJson(Json{
                  {"state", "cancelled"}, {"withdrawn", static_cast<int64_t>(withdrawn->size())}});
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return true;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!*done) {
      return ApiErrorResponse(kErrorQueryNotRunning,
                              "live query " + std::to_string(query.id) + " has ended");
    }
    auto stored = ctx_.store->live_queries().Get(query.id);
    if (!stored.ok()) return StoreErrorResponse(stored.status(), call);
    return JsonResponse(200, LiveQueryJson(stored->value_or(query)));
  }

  // Rows added and removed per host between `query` and `against`.
  HttpResponse Diff(ApiCall& call) const {
    auto found = Find(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::LiveQuery& query = std::get<store::LiveQuery>(found);
    std::optional<int64_t> against_id = ParseId(call.params.value("against", std::string()));
    std::optional<store::LiveQuery> against;
    if (against_id) {
      auto loaded = ctx_.store->live_queries().Get(*against_id);
      if (!loaded.ok()) return StoreErrorResponse(loaded.status(), call);
      against = *loaded;
    }
    if (!against)
      return ApiErrorResponse(kErrorQueryNotFound, "against: no such live query", "against");
    for (const store::LiveQuery* q : std::vector<const store::LiveQuery*>{&query, &*against}) {
      if (q->results_pruned_at) {
        return ApiErrorResponse(
            kErrorQueryResultsPruned,
            "the rows of live query " + std::to_string(q->id) + " were deleted for retention");
      }
    }
    std::set<int64_t> wanted;
    if (auto it = call.params.find("host_id"); it != call.params.end() && it->is_array()) {
      for (const Json& v : *it) {
        std::optional<int64_t> id = v.is_string() ? ParseId(v.get<std::string>()) : std::nullopt;
        if (!id) return ApiErrorResponse(api::kErrorValidation, "host_id: not an id", "host_id");
        wanted.insert(*id);
      }
    }
    // The answered targets of each (done: their rows are complete).
    auto answered = [&](int64_t query_id,
                        std::map<int64_t, store::LiveQueryTarget>* out) -> Status {
      store::ListQuery q;
      q.filters.push_back({"query_id", store::FilterOp::kEq, Value(query_id)});
      q.filters.push_back({"state", store::FilterOp::kEq, Value(std::string("done"))});
      return ctx_.store->live_queries().ExportTargets(q, [&](const store::LiveQueryTarget& t) {
        if (wanted.empty() || wanted.count(t.host_id)) out->emplace(t.host_id, t);
        return Status::Ok();
      });
    };
    std::map<int64_t, store::LiveQueryTarget> mine, theirs;
    Status read = answered(query.id, &mine);
    if (read.ok()) read = answered(against->id, &theirs);
    if (!read.ok()) return StoreErrorResponse(read, call);
    std::set<int64_t> hosts;
    for (const auto& [id, t] : mine) hosts.insert(id);
    for (const auto& [id, t] : theirs) hosts.insert(id);
    Json out = Json::array();
    for (int64_t host : hosts) {
      const bool in_mine = mine.count(host) > 0;
      const bool in_theirs = theirs.count(host) > 0;
      std::multiset<std::string> now_rows, then_rows;
      auto collect = [&](int64_t query_id, std::multiset<std::string>* into) {
        return ctx_.store->live_queries().HostRows(query_id, host, [&](const std::string& row) {
          into->insert(row);
          return Status::Ok();
        });
      };
      if (in_mine) read = collect(query.id, &now_rows);
      if (read.ok() && in_theirs) read = collect(against->id, &then_rows);
      if (!read.ok()) return StoreErrorResponse(read, call);
      Json added = Json::array(), removed = Json::array();
      std::vector<std::string> a, r;
      std::set_difference(now_rows.begin(), now_rows.end(), then_rows.begin(), then_rows.end(),
                          std::back_inserter(a));
      std::set_difference(then_rows.begin(), then_rows.end(), now_rows.begin(), now_rows.end(),
                          std::back_inserter(r));
      if (a.empty() && r.empty() && in_mine && in_theirs) continue;
      for (const std::string& row : a) added.push_back(RowObject(row));
      for (const std::string& row : r) removed.push_back(RowObject(row));
      const store::LiveQueryTarget& t = in_mine ? mine.at(host) : theirs.at(host);
      out.push_back(
          {{"host_id", std::to_string(host)},
           {"hostname", t.hostname},
           {"only_in", in_mine && in_theirs ? Json(nullptr) : Json(in_mine ? "query" : "against")},
           {"added", std::move(added)},
           {"removed", std::move(removed)}});
    }
    return JsonResponse(200, Json{{"query_id", std::to_string(query.id)},
                                  {"against", std::to_string(against->id)},
                                  {"hosts", std::move(out)}});
  }

  // The hostnames of a page's hosts (from the campaign's targets).
  std::map<int64_t, std::string> Hostnames(int64_t query_id,
                                           const std::vector<store::LiveQueryRow>& rows) const {
    std::map<int64_t, std::string> names;
    for (const store::LiveQueryRow& row : rows) {
      if (names.count(row.host_id)) continue;
      auto t = ctx_.store->live_queries().Target(query_id, row.host_id);
      names[row.host_id] = t.ok() && t->has_value() ? (*t)->hostname : "";
    }
    return names;
  }

  // pushAgentQueryRows: the host's chunk of rows, stored once. Answered from
  // the store's commit, so no worker waits for it: a fleet answering at once
  // queues its chunks into the writer's batches instead of onto the workers.
  void PushRows(ApiCall& call, const HttpResponder& responder) const {
    std::optional<int64_t> command_id = IdParam(call, "command_id");
    if (!command_id) {
      responder.Send(CommandNotFound());
      return;
    }
    const Json& body = *call.body;
    auto chunk = std::make_shared<store::LiveQueryChunk>();
    chunk->seq = Integer(body, "seq").value_or(0);
    chunk->columns = StringList(body, "columns");
    std::set<std::string> distinct(chunk->columns.begin(), chunk->columns.end());
    if (distinct.size() != chunk->columns.size()) {
      responder.Send(
          ApiErrorResponse(api::kErrorValidation, "columns: a column name repeats", "/columns"));
      return;
    }
    const Json& rows = body.at("rows");
    for (size_t i = 0; i < rows.size(); ++i) {
      const Json& values = rows[i];
      if (values.size() != chunk->columns.size()) {
        const std::string field = "/rows/" + std::to_string(i);
        responder.Send(ApiErrorResponse(api::kErrorValidation,
                                        field + ": " + std::to_string(values.size()) +
                                            " values for " + std::to_string(chunk->columns.size()) +
                                            " columns",
                                        field));
        return;
      }
      Json row = Json::object();
      for (size_t c = 0; c < values.size(); ++c) row[chunk->columns[c]] = CellValue(values[c]);
      chunk->rows.push_back(Dump(row));
    }
    const int64_t host_id = call.principal.host_id;
    const store::EpochMs now = ctx_.Now();
    ctx_.store->TouchHost(host_id, now);
    // One chunk is always taken, however large; more wait their turn.
    int64_t bytes = 0;
    for (const std::string& row : chunk->rows) bytes += static_cast<int64_t>(row.size());
    const int64_t pending = pending_bytes_->fetch_add(bytes);
    if (pending > 0 && pending + bytes > ctx_.live_queries.max_pending_bytes) {
      pending_bytes_->fetch_sub(bytes);
      HttpResponse busy = ApiErrorResponse(
          api::kErrorUnavailable, "the server is storing other hosts' rows; send this chunk again");
      busy.headers.Set("Retry-After", "1");
      responder.Send(std::move(busy));
      return;
    }
    ctx_.store
        ->Write([host_id, id = *command_id, chunk, now](store::StoreWriter& w) {
          return w.live_queries().AppendChunk(host_id, id, *chunk, now);
        })
        .Then([responder, request_id = call.http ? call.http->id : std::string(), seq = chunk->seq,
               bytes, pending_bytes = pending_bytes_](const Result<store::ChunkOutcome>& stored) {
          pending_bytes->fetch_sub(bytes);
          responder.Send(RowsAnswer(stored, seq, request_id));
        });
  }

  const HandlerContext& ctx() const { return ctx_; }

 private:
  HandlerContext ctx_;
  std::shared_ptr<std::atomic<int64_t>> pending_bytes_;  // rows chunks not yet stored
};

}  // namespace

HttpResponse LaunchLiveQuery(const HandlerContext& ctx, ApiCall& call, const Json& targets_body,
                             const std::string& sql, std::optional<int64_t> saved_query_id) {
  return LiveQueriesApi(ctx).CreateFrom(call, targets_body, sql, saved_query_id);
}

void RegisterLiveQueriesHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  auto api = std::make_shared<const LiveQueriesApi>(ctx);
  auto queries = std::make_shared<const ListBinding>(LiveQueryListBinding());
  auto hosts = std::make_shared<const ListBinding>(LiveQueryHostListBinding());
  auto results = std::make_shared<const ListBinding>(LiveQueryResultListBinding());

  handlers.Add("createLiveQuery", [api](ApiCall& call) { return api->Create(call); });
  handlers.Add("rerunLiveQuery", [api](ApiCall& call) { return api->Rerun(call); });
  handlers.Add("cancelLiveQuery", [api](ApiCall& call) { return api->Cancel(call); });
  handlers.Add("diffLiveQuery", [api](ApiCall& call) { return api->Diff(call); });
  handlers.AddAsync("pushAgentQueryRows", [api](ApiCall& call, const HttpResponder& responder) {
    api->PushRows(call, responder);
  });

  handlers.Add("getLiveQuery", [api](ApiCall& call) {
    auto found = api->Find(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    return JsonResponse(200, LiveQueryJson(std::get<store::LiveQuery>(found)));
  });

  handlers.Add("listLiveQueries", [ctx, queries](ApiCall& call) {
    auto query = BuildListQuery(call, *queries);
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->live_queries().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, LiveQueryJson));
  });

  handlers.AddAsync("exportLiveQueries", [ctx, queries](ApiCall& call, HttpResponder responder) {
    auto query = BuildListQuery(call, *queries);
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    StreamExport<store::LiveQuery>(
        call, std::move(responder), "live-queries", LiveQueryColumns(),
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::LiveQuery>& row) {
          return ctx.store->live_queries().Export(q, row);
        },
        LiveQueryJson);
  });

  handlers.Add("listLiveQueryHosts", [ctx, api, hosts](ApiCall& call) {
    auto found = api->Find(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    auto query = BuildListQuery(call, *hosts);
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->live_queries().ListTargets(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, LiveQueryHostJson));
  });

  handlers.AddAsync(
      "exportLiveQueryHosts", [ctx, api, hosts](ApiCall& call, HttpResponder responder) {
        auto found = api->Find(call);
        if (auto* refused = std::get_if<HttpResponse>(&found)) {
          responder.Send(std::move(*refused));
          return;
        }
        auto query = BuildListQuery(call, *hosts);
        if (auto* error = std::get_if<api::ApiError>(&query)) {
          responder.Send(ErrorResponse(*error));
          return;
        }
        StreamExport<store::LiveQueryTarget>(
            call, std::move(responder),
            "live-query-" + std::to_string(std::get<store::LiveQuery>(found).id) + "-hosts",
            LiveQueryHostColumns(), std::get<store::ListQuery>(query),
            [&](const store::ListQuery& q, const store::RowCallback<store::LiveQueryTarget>& row) {
              return ctx.store->live_queries().ExportTargets(q, row);
            },
            LiveQueryHostJson);
      });

  handlers.Add("listLiveQueryResults", [ctx, api, results](ApiCall& call) {
    auto found = api->Find(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::LiveQuery& campaign = std::get<store::LiveQuery>(found);
    auto query = BuildListQuery(call, *results);
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->live_queries().ListRows(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    const std::map<int64_t, std::string> names = api->Hostnames(campaign.id, page->items);
    Json body = PageJson(*page, [&](const store::LiveQueryRow& row) {
      return Json{{"id", std::to_string(row.id)},
                  {"host_id", std::to_string(row.host_id)},
                  {"hostname", names.at(row.host_id)},
                  {"row", RowObject(row.row_json)}};
    });
    body["truncated_at"] = campaign.truncated_at ? Json(*campaign.truncated_at) : Json(nullptr);
    return JsonResponse(200, body);
  });

  // CSV: host_id, hostname, then one column per result column (a result
  // column named host_id or hostname is shown as result.host_id, ...);
  // JSON lines: the list's items.
  handlers.AddAsync("exportLiveQueryResults", [ctx, api, results](ApiCall& call,
                                                                  HttpResponder responder) {
    auto found = api->Find(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) {
      responder.Send(std::move(*refused));
      return;
    }
    const store::LiveQuery campaign = std::get<store::LiveQuery>(found);
    auto query = BuildListQuery(call, *results);
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    const bool csv = call.params.value("format", std::string("csv")) == "csv";
    auto shown_name = [](const std::string& column) {
      return column == "host_id" || column == "hostname" ? "result." + column : column;
    };
    std::vector<std::string> columns = {"host_id", "hostname"};
    for (const std::string& c : campaign.columns) columns.push_back(shown_name(c));
    const std::string base = "live-query-" + std::to_string(campaign.id) + "-results";
    ExportWriter out(std::move(responder),
                     csv ? ExportWriter::Format::kCsv : ExportWriter::Format::kJsonl,
                     base + (csv ? ".csv" : ".jsonl"), columns);
    std::map<int64_t, std::string> names;
    Status status = ctx.store->live_queries().ExportRows(
        std::get<store::ListQuery>(query), [&](const store::LiveQueryRow& row) {
          if (!names.count(row.host_id)) {
            auto t = ctx.store->live_queries().Target(campaign.id, row.host_id);
            names[row.host_id] = t.ok() && t->has_value() ? (*t)->hostname : "";
          }
          Json values = RowObject(row.row_json);
          Json item;
          if (csv) {
            item = Json{{"host_id", std::to_string(row.host_id)}, {"hostname", names[row.host_id]}};
            for (auto it = values.begin(); it != values.end(); ++it)
              item[shown_name(it.key())] = it.value();
          } else {
            item = Json{{"id", std::to_string(row.id)},
                        {"host_id", std::to_string(row.host_id)},
                        {"hostname", names[row.host_id]},
                        {"row", std::move(values)}};
          }
          return out.Row(item);
        });
    if (!status.ok()) {
      out.Fail(ListErrorResponse(status, call.http != nullptr ? call.http->id : ""));
      return;
    }
    (void)out.Finish();
  });

  handlers.AddAsync("streamLiveQuery", [ctx, api](ApiCall& call, HttpResponder responder) {
    auto found = api->Find(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) {
      responder.Send(std::move(*refused));
      return;
    }
    if (ctx.live_query_streams == nullptr) {
      responder.Send(ApiErrorResponse(api::kErrorUnavailable, "live query streams are off"));
      return;
    }
    int64_t after = 0;
    if (auto it = call.params.find("Last-Event-ID"); it != call.params.end() && it->is_string()) {
      after = ParseId(it->get<std::string>()).value_or(0);
    }
    const int64_t timeout = call.params.value("timeout", int64_t{300});
    ctx.live_query_streams->Follow(std::get<store::LiveQuery>(found).id, after,
                                   std::chrono::seconds(timeout), std::move(responder));
  });
}

}  // namespace warden::server
