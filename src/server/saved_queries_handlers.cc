// Saved queries and their schedules: listSavedQueries, exportSavedQueries,
// createSavedQuery, getSavedQuery, updateSavedQuery, deleteSavedQuery,
// runSavedQuery, favouriteSavedQuery, unfavouriteSavedQuery; and what the
// schedules produce: listScheduledResults, exportScheduledResults,
// getHostSchedule.
//
// A saved query's SQL is stored and sent as it is, never interpolated.
// Running one starts a campaign through the live queries' own code
// (live_query_launch.h) with the campaign naming the saved query. Each
// change and its audit entry are one Store::Write; a change that touches a
// schedule (its targets, timing, SQL or name) then recomputes the agent
// configs (AgentConfigsChanged), so the agents it concerns pull theirs at
// once.
//
// Favourites are per user: an API token's are its owner's. Lists show for
// each saved query whether it is the caller's favourite, and filter on it.
//
// Not here: which hosts a schedule gives which query
// (host_scheduled_queries.h), storing the results agents send
// (record_ingest.h).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "server/host_scheduled_queries.h"
#include "server/list_response.h"
#include "server/live_query_launch.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

constexpr std::string_view kErrorSavedQueryNotFound = "E_SAVED_QUERY_NOT_FOUND";

HttpResponse SavedQueryNotFound() {
  return ApiErrorResponse(kErrorSavedQueryNotFound, "no such saved query", "saved_query_id");
}

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  return r;
}

Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json TargetsJson(const store::LiveQueryTargetSpec& t) {
  Json host_ids = Json::array();
  for (int64_t id : t.host_ids) host_ids.push_back(std::to_string(id));
  return {{"host_ids", std::move(host_ids)}, {"labels", t.labels}, {"all", t.all}};
}

Json ScheduleTimingJson(const store::SavedQuerySchedule& s) {
  return {{"interval_seconds", s.interval_seconds ? Json(*s.interval_seconds) : Json(nullptr)},
          {"daily_at", s.daily_at},
          {"splay_percent", s.splay_percent},
          {"run_at_start", s.run_at_start}};
}

Json ScheduleViewJson(const std::string& name, const store::SavedQuerySchedule& s) {
  return {{"targets", TargetsJson(s.targets)},
          {"os_ids", s.targets.os_ids},
          {"schedule", ScheduleTimingJson(s)},
          {"mode", s.mode},
          {"removed", s.report_removed},
          {"timeout_ms", s.timeout_ms},
          {"max_memory_bytes", s.max_memory_bytes},
          {"enabled", s.enabled},
          {"query_name", store::ScheduledQueryName(name)}};
}

Json SavedQueryJson(const store::SavedQuery& q, bool favourite) {
  return {{"id", std::to_string(q.id)},
          {"name", q.name},
          {"description", q.description},
          {"sql", q.sql},
          {"owner",
           {{"type", q.owner.type},
            {"id", NullIfEmpty(q.owner.id)},
            {"name", NullIfEmpty(q.owner.name)}}},
          {"tags", q.tags},
          {"schedule", q.schedule ? ScheduleViewJson(q.name, *q.schedule) : Json(nullptr)},
          {"favourite", favourite},
          {"created_at", TimeJson(q.created_at)},
          {"updated_at", TimeJson(q.updated_at)}};
}

const std::vector<std::string>& SavedQueryColumns() {
  static const std::vector<std::string> columns = {
      "id",   "name",     "description", "sql",        "owner",
      "tags", "schedule", "favourite",   "created_at", "updated_at"};
  return columns;
}

std::vector<std::string> StringList(const Json& object, const char* key) {
  std::vector<std::string> out;
  if (auto it = object.find(key); it != object.end() && it->is_array()) {
    for (const Json& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// The targets member of a body (LiveQueryTargets), checked as a live
// query's: `all` alone, or host ids and labels.
std::variant<store::LiveQueryTargetSpec, HttpResponse> ParseTargets(const Json& targets,
                                                                    const std::string& pointer) {
  store::LiveQueryTargetSpec spec;
  spec.all = targets.value("all", false);
  spec.labels = StringList(targets, "labels");
  const std::vector<std::string> ids = StringList(targets, "host_ids");
  if (spec.all && (!ids.empty() || !spec.labels.empty()))
    return ApiErrorResponse(api::kErrorValidation,
                            pointer + ": all comes alone, without host_ids or labels",
                            pointer + "/all");
  if (!spec.all && ids.empty() && spec.labels.empty())
    return ApiErrorResponse(api::kErrorValidation,
                            pointer + ": name host_ids, labels, or all: true", pointer);
  for (size_t i = 0; i < ids.size(); ++i) {
    std::optional<int64_t> id = ParseId(ids[i]);
    if (!id) {
      const std::string field = pointer + "/host_ids/" + std::to_string(i);
      return ApiErrorResponse(api::kErrorValidation,
                              field + ": " + ids[i].substr(0, 128) + " is not a host id", field);
    }
    spec.host_ids.push_back(*id);
  }
  return spec;
}

// A SavedQuerySchedule body member.
std::variant<store::SavedQuerySchedule, HttpResponse> ParseSchedule(const Json& body) {
  store::SavedQuerySchedule s;
  auto targets = ParseTargets(body.value("targets", Json::object()), "/schedule/targets");
  if (auto* refused = std::get_if<HttpResponse>(&targets)) return std::move(*refused);
  s.targets = std::get<store::LiveQueryTargetSpec>(targets);
  s.targets.os_ids = StringList(body, "os_ids");
  const Json timing = body.value("schedule", Json::object());
  if (auto it = timing.find("interval_seconds"); it != timing.end() && it->is_number_integer())
    s.interval_seconds = it->get<int64_t>();
  s.daily_at = StringList(timing, "daily_at");
  if (!s.interval_seconds && s.daily_at.empty())
    return ApiErrorResponse(api::kErrorValidation,
                            "/schedule/schedule: give interval_seconds or daily_at",
                            "/schedule/schedule");
  s.splay_percent = timing.value("splay_percent", s.splay_percent);
  s.run_at_start = timing.value("run_at_start", s.run_at_start);
  s.mode = body.value("mode", s.mode);
  s.report_removed = body.value("removed", s.report_removed);
  s.timeout_ms = body.value("timeout_ms", s.timeout_ms);
  s.max_memory_bytes = body.value("max_memory_bytes", s.max_memory_bytes);
  s.enabled = body.value("enabled", s.enabled);
  return s;
}

// Who a favourite belongs to: the calling user (a token's owner).
std::optional<int64_t> FavouriteOwner(const Principal& p) {
  if ((p.kind == Principal::Kind::kSession || p.kind == Principal::Kind::kApiToken) &&
      p.user_id > 0)
    return p.user_id;
  return std::nullopt;
}

ListBinding SavedQueryListBinding(std::optional<int64_t> user) {
  ListBinding b;
  b.sort_fields = {{"name", "name"}, {"created_at", "created_at"}, {"updated_at", "updated_at"}};
  b.filters["q"] = TextSearchFilter({"name", "description"});
  b.filters["tag"] = AnyValueFilter("tag");
  b.filters["owner"] = EqualsFilter("owner");
  b.filters["scheduled"] = EqualsFilter("scheduled");
  b.filters["favourite"] =
      [user](std::string_view param, const Json& value,
             std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    if (!value.is_boolean())
      return api::MakeApiError(api::kErrorValidation, std::string(param) + ": expected a boolean",
                               std::string(param));
    // Someone without favourites has none: favourite=true lists nothing.
    const int64_t id = user.value_or(0);
    out->push_back(
        {value.get<bool>() ? "favourite_of" : "not_favourite_of", store::FilterOp::kEq, Value(id)});
    return std::nullopt;
  };
  return b;
}

class SavedQueriesApi {
 public:
  explicit SavedQueriesApi(const HandlerContext& ctx) : ctx_(ctx) {}

  std::variant<store::SavedQuery, HttpResponse> Find(const ApiCall& call) const {
    std::optional<int64_t> id = IdParam(call, "saved_query_id");
    if (!id) return SavedQueryNotFound();
    auto found = ctx_.store->saved_queries().Get(*id);
    if (!found.ok()) return StoreErrorResponse(found.status(), call);
    if (!found->has_value()) return SavedQueryNotFound();
    return **found;
  }

  std::set<int64_t> Favourites(const ApiCall& call) const {
    std::optional<int64_t> user = FavouriteOwner(call.principal);
    if (!user) return {};
    auto ids = ctx_.store->saved_queries().FavouriteIds(*user);
    return ids.ok() ? *ids : std::set<int64_t>();
  }

  bool IsFavourite(const ApiCall& call, int64_t id) const { return Favourites(call).count(id) > 0; }

  // The agent configs change when an enabled schedule came or went: their
  // etags are recomputed and the parked polls of the hosts whose etag moved
  // are answered, so those agents pull their config at once.
  void ConfigsChanged(const std::optional<store::SavedQuerySchedule>& before,
                      const std::optional<store::SavedQuerySchedule>& after) const {
    const bool touched =
        (before.has_value() && before->enabled) || (after.has_value() && after->enabled);
    if (touched) AgentConfigsChanged(ctx_);
  }

  HttpResponse Create(ApiCall& call) const {
    const Json& body = *call.body;
    store::NewSavedQuery n;
    n.name = body.value("name", std::string());
    n.description = body.value("description", std::string());
    n.sql = body.value("sql", std::string());
    n.tags = StringList(body, "tags");
    n.owner = ActorOf(call.principal);
    n.created_at = ctx_.Now();
    if (auto it = body.find("schedule"); it != body.end() && it->is_object()) {
      auto schedule = ParseSchedule(*it);
      if (auto* refused = std::get_if<HttpResponse>(&schedule)) return std::move(*refused);
      n.schedule = std::get<store::SavedQuerySchedule>(schedule);
    }
    store::AuditEntry entry = call.audit;
    entry.target_type = "saved_query";
    auto done = ctx_.store
                    ->Write([&](store::StoreWriter& w) -> Result<std::optional<store::SavedQuery>> {
                      ASSIGN_OR_RETURN(std::optional<store::SavedQuery> created,
                                       w.saved_queries().Create(n));
                      if (!created) return created;
                      entry.target_id = std::to_string(created->id);
                      entry.after_json = AuditJson(SavedQueryJson(*created, false));
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return created;
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->has_value())
      return ApiErrorResponse(api::kErrorNameTaken, "a saved query named '" + n.name + "' exists",
                              "/name");
    ConfigsChanged(std::nullopt, (*done)->schedule);
    return JsonResponse(201, SavedQueryJson(**done, false));
  }

  HttpResponse Update(ApiCall& call) const {
    auto found = Find(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::SavedQuery before = std::get<store::SavedQuery>(found);
    const Json& body = *call.body;
    store::SavedQueryChange change;
    change.updated_at = ctx_.Now();
    if (auto it = body.find("name"); it != body.end()) change.name = it->get<std::string>();
    if (auto it = body.find("description"); it != body.end())
      change.description = it->get<std::string>();
    if (auto it = body.find("sql"); it != body.end()) change.sql = it->get<std::string>();
    if (body.contains("tags")) change.tags = StringList(body, "tags");
    if (auto it = body.find("schedule"); it != body.end()) {
      if (it->is_null()) {
        change.schedule = std::optional<store::SavedQuerySchedule>();
      } else {
        auto schedule = ParseSchedule(*it);
        if (auto* refused = std::get_if<HttpResponse>(&schedule)) return std::move(*refused);
        change.schedule = std::get<store::SavedQuerySchedule>(schedule);
      }
    }
    store::AuditEntry entry = call.audit;
    entry.target_type = "saved_query";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(SavedQueryJson(before, false));
    auto done = ctx_.store
                    ->Write([&](store::StoreWriter& w) -> Result<store::SavedQueryUpdate> {
                      ASSIGN_OR_RETURN(store::SavedQueryUpdate updated,
                                       w.saved_queries().Update(before.id, change));
                      if (!updated.query) return updated;
                      entry.after_json = AuditJson(SavedQueryJson(*updated.query, false));
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return updated;
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (done->name_taken)
      return ApiErrorResponse(api::kErrorNameTaken,
                              "a saved query named '" + change.name.value_or("") + "' exists",
                              "/name");
    if (!done->query) return SavedQueryNotFound();
    const bool touches_agents = change.schedule || ((change.sql || change.name) && before.schedule);
    if (touches_agents) ConfigsChanged(before.schedule, done->query->schedule);
    return JsonResponse(200, SavedQueryJson(*done->query, IsFavourite(call, before.id)));
  }

  HttpResponse Delete(ApiCall& call) const {
    auto found = Find(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::SavedQuery before = std::get<store::SavedQuery>(found);
    store::AuditEntry entry = call.audit;
    entry.target_type = "saved_query";
    entry.target_id = std::to_string(before.id);
    entry.before_json = AuditJson(SavedQueryJson(before, false));
    auto done = ctx_.store
                    ->Write([&](store::StoreWriter& w) -> Result<bool> {
                      ASSIGN_OR_RETURN(bool deleted, w.saved_queries().Delete(before.id));
                      if (!deleted) return false;
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return true;
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!*done) return SavedQueryNotFound();
    ConfigsChanged(before.schedule, std::nullopt);
    return NoContent();
  }

  HttpResponse SetFavourite(ApiCall& call, bool favourite) const {
    auto found = Find(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::SavedQuery& saved = std::get<store::SavedQuery>(found);
    std::optional<int64_t> user = FavouriteOwner(call.principal);
    if (!user)
      return ApiErrorResponse(api::kErrorForbidden,
                              "only a user (or a user's token) has favourites");
    store::AuditEntry entry = call.audit;
    entry.target_type = "saved_query";
    entry.target_id = std::to_string(saved.id);
    entry.after_json =
        AuditJson(Json{{"favourite", favourite}, {"user_id", std::to_string(*user)}});
    const store::EpochMs now = ctx_.Now();
    auto done = ctx_.store
                    ->Write([&](store::StoreWriter& w) -> Result<bool> {
                      ASSIGN_OR_RETURN(bool exists, w.saved_queries().SetFavourite(*user, saved.id,
                                                                                   favourite, now));
                      if (!exists) return false;
                      RETURN_IF_ERROR(w.audit().Append(entry).status());
                      return true;
                    })
                    .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!*done) return SavedQueryNotFound();
    return NoContent();
  }

  HttpResponse Run(ApiCall& call) const {
    auto found = Find(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::SavedQuery& saved = std::get<store::SavedQuery>(found);
    return LaunchLiveQuery(ctx_, call, *call.body, saved.sql, saved.id);
  }

  const HandlerContext& ctx() const { return ctx_; }

 private:
  HandlerContext ctx_;
};

// ---- scheduled results and host schedules

Json ScheduledResultJson(const store::ScheduledResultRow& r) {
  Json row = Json::parse(r.row_json, nullptr, false);
  return {{"id", std::to_string(r.id)},
          {"name", r.name},
          {"host_id", std::to_string(r.host_id)},
          {"hostname", r.hostname},
          {"action", r.action},
          {"run_at", TimeJson(r.run_at)},
          {"epoch", r.epoch},
          {"counter", r.counter},
          {"row", row.is_object() ? row : Json::object()}};
}

// The result list's binding; `saved_query_id` becomes the name agents run
// the saved query under (a saved query that does not exist matches
// nothing).
ListBinding ScheduledResultListBinding(store::Store* store) {
  ListBinding b;
  b.sort_fields = {{"run_at", "run_at"}, {"id", "id"}};
  b.filters["name"] = EqualsFilter("name");
  b.filters["host_id"] = IdFilter("host_id");
  b.filters["action"] = OneOfFilter("action", {"added", "removed", "snapshot"});
  b.filters["since"] = TimeFilter("run_at", store::FilterOp::kGe);
  b.filters["until"] = TimeFilter("run_at", store::FilterOp::kLt);
  b.filters["saved_query_id"] =
      [store](std::string_view param, const Json& value,
              std::vector<store::FieldFilter>* out) -> std::optional<api::ApiError> {
    std::optional<int64_t> id =
        value.is_string() ? ParseId(value.get<std::string>()) : std::nullopt;
    if (!id)
      return api::MakeApiError(api::kErrorValidation, std::string(param) + ": not an id",
                               std::string(param));
    auto saved = store->saved_queries().Get(*id);
    if (!saved.ok())
      return api::MakeApiError(api::kErrorUnavailable,
                               "the store could not be read: " + saved.status().message());
    // No such saved query: a name no agent can send ("srv:" alone).
    out->push_back({"name", store::FilterOp::kEq,
                    Value(store::ScheduledQueryName(saved->has_value() ? (*saved)->name : ""))});
    return std::nullopt;
  };
  return b;
}

const std::vector<std::string>& ScheduledResultColumns() {
  static const std::vector<std::string> columns = {
      "id", "name", "host_id", "hostname", "action", "run_at", "epoch", "counter", "row"};
  return columns;
}

Json HostScheduleItemJson(const std::string& name, const HostScheduledQuery* server,
                          const store::HostQueryJob* job) {
  std::optional<store::EpochMs> next_run;
  if (job && job->next_run_at) {
    next_run = job->next_run_at;
  } else if (job && job->last_run_at && server && server->schedule.interval_seconds) {
    next_run = *job->last_run_at + *server->schedule.interval_seconds * 1000;
  }
  return {{"name", name},
          {"source", server ? "server" : "agent"},
          {"saved_query_id", server ? Json(std::to_string(server->saved_query_id)) : Json(nullptr)},
          {"schedule", server ? ScheduleTimingJson(server->schedule) : Json(nullptr)},
          {"mode", server ? Json(server->schedule.mode) : Json(nullptr)},
          {"last_run_at", TimeJson(job ? job->last_run_at : std::nullopt)},
          {"duration_ms", job && job->duration_ms ? Json(*job->duration_ms) : Json(nullptr)},
          {"outcome", job && job->outcome ? Json(*job->outcome) : Json(nullptr)},
          {"last_rows", job && job->last_rows ? Json(*job->last_rows) : Json(nullptr)},
          {"next_run_at", TimeJson(next_run)},
          {"running", job ? job->running : false},
          {"runs", job ? job->runs : 0},
          {"failures", job ? job->failures : 0},
          {"reported_at",
           job ? TimeJson(std::optional<store::EpochMs>(job->reported_at)) : Json(nullptr)}};
}

}  // namespace

void RegisterSavedQueriesHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  auto api = std::make_shared<const SavedQueriesApi>(ctx);
  auto results = std::make_shared<const ListBinding>(ScheduledResultListBinding(ctx.store));

  handlers.Add("createSavedQuery", [api](ApiCall& call) { return api->Create(call); });
  handlers.Add("updateSavedQuery", [api](ApiCall& call) { return api->Update(call); });
  handlers.Add("deleteSavedQuery", [api](ApiCall& call) { return api->Delete(call); });
  handlers.Add("runSavedQuery", [api](ApiCall& call) { return api->Run(call); });
  handlers.Add("favouriteSavedQuery",
               [api](ApiCall& call) { return api->SetFavourite(call, true); });
  handlers.Add("unfavouriteSavedQuery",
               [api](ApiCall& call) { return api->SetFavourite(call, false); });

  handlers.Add("getSavedQuery", [api](ApiCall& call) {
    auto found = api->Find(call);
    if (auto* refused = std::get_if<HttpResponse>(&found)) return std::move(*refused);
    const store::SavedQuery& saved = std::get<store::SavedQuery>(found);
    return JsonResponse(200, SavedQueryJson(saved, api->IsFavourite(call, saved.id)));
  });

  handlers.Add("listSavedQueries", [api](ApiCall& call) {
    auto query = BuildListQuery(call, SavedQueryListBinding(FavouriteOwner(call.principal)));
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = api->ctx().store->saved_queries().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    const std::set<int64_t> favourites = api->Favourites(call);
    return JsonResponse(200, PageJson(*page, [&](const store::SavedQuery& q) {
                          return SavedQueryJson(q, favourites.count(q.id) > 0);
                        }));
  });

  handlers.AddAsync("exportSavedQueries", [api](ApiCall& call, HttpResponder responder) {
    auto query = BuildListQuery(call, SavedQueryListBinding(FavouriteOwner(call.principal)));
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    const std::set<int64_t> favourites = api->Favourites(call);
    StreamExport<store::SavedQuery>(
        call, std::move(responder), "saved-queries", SavedQueryColumns(),
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::SavedQuery>& row) {
          return api->ctx().store->saved_queries().Export(q, row);
        },
        [&](const store::SavedQuery& q) { return SavedQueryJson(q, favourites.count(q.id) > 0); });
  });

  handlers.Add("listScheduledResults", [ctx, results](ApiCall& call) {
    auto query = BuildListQuery(call, *results);
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->scheduled_results().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, ScheduledResultJson));
  });

  handlers.AddAsync("exportScheduledResults", [ctx, results](ApiCall& call,
                                                             HttpResponder responder) {
    auto query = BuildListQuery(call, *results);
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    StreamExport<store::ScheduledResultRow>(
        call, std::move(responder), "scheduled-results", ScheduledResultColumns(),
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::ScheduledResultRow>& row) {
          return ctx.store->scheduled_results().Export(q, row);
        },
        ScheduledResultJson);
  });

  handlers.Add("getHostSchedule", [ctx](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "host_id");
    if (auto refused = CheckHostExists(ctx, call)) return *refused;
    auto host = ctx.store->hosts().Get(*id);
    if (!host.ok()) return StoreErrorResponse(host.status(), call);
    if (!host->has_value()) return ApiErrorResponse("E_HOST_NOT_FOUND", "no such host", "host_id");
    auto server = ScheduledQueriesForHost(*ctx.store, **host);
    if (!server.ok()) return StoreErrorResponse(server.status(), call);
    auto jobs = ctx.store->scheduled_results().HostJobs(*id);
    if (!jobs.ok()) return StoreErrorResponse(jobs.status(), call);
    std::map<std::string, const HostScheduledQuery*> by_name;
    for (const HostScheduledQuery& q : *server) by_name[q.name] = &q;
    std::map<std::string, const store::HostQueryJob*> reported;
    for (const store::HostQueryJob& j : *jobs) reported[j.name] = &j;
    std::set<std::string> names;
    for (const auto& [name, q] : by_name) names.insert(name);
    for (const auto& [name, j] : reported) names.insert(name);
    Json items = Json::array();
    for (const std::string& name : names) {
      auto s = by_name.find(name);
      auto j = reported.find(name);
      items.push_back(HostScheduleItemJson(name, s != by_name.end() ? s->second : nullptr,
                                           j != reported.end() ? j->second : nullptr));
    }
    return JsonResponse(200, Json{{"host_id", std::to_string(*id)}, {"items", std::move(items)}});
  });
}

}  // namespace warden::server
