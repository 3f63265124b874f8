// Fleet-wide suppressions: listSuppressions, exportSuppressions,
// createSuppression, getSuppression, updateSuppression, deleteSuppression.
//
// Creating a suppression dismisses every open problem it covers
// (suppression_matching.h) in the same Store::Write as the suppression and
// its audit entry, each with its history entry, audit entry and `dismiss`
// command (problem_dismissal.h, the path dismissProblem takes); the hosts'
// long-polls are woken once committed. Problems reported later are covered
// at ingest (record_ingest.cc). Patching the reason or expiry re-dismisses
// the problems it holds with the new comment and `until`; deleting it
// reconsiders them against the suppressions left (re-dismissed under those
// that still cover them, else undismissed). At expiry the dismissal expiry
// job (dismissal_expiry.h) and the agents reopen them, as for any dismissal
// with `until`.
//
// Candidates are read before the write (open problems of the targeted
// hosts; for a rule, of that rule) and each is checked again inside it.
// Not here: matching (suppression_matching.h), the store (store/suppression_repository.h).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/time_format.h"
#include "server/command_hub.h"
#include "server/list_response.h"
#include "server/recipe_resolution.h"
#include "server/rest_handlers.h"
#include "server/suppression_matching.h"

namespace warden::server {
namespace {

constexpr std::string_view kSuppressionNotFound = "E_SUPPRESSION_NOT_FOUND";
constexpr size_t kMaxReasonBytes = 1000;

const ListBinding& SuppressionListBinding() {
  static const ListBinding binding = [] {
    ListBinding b;
    b.sort_fields = {{"created_at", "created_at"}, {"value", "value"}};
    b.filters["q"] = TextSearchFilter({"value", "reason"});
    b.filters["kind"] = OneOfFilter("kind", {"cve", "rule", "port"});
    return b;
  }();
  return binding;
}

Json SuppressionJson(const store::Suppression& s, store::EpochMs now) {
  return Json{{"id", std::to_string(s.id)},
              {"kind", std::string(store::SuppressionKindName(s.kind))},
              {"value", s.value},
              {"target", RecipeTargetJson(s.target)},
              {"reason", s.reason},
              {"expires_at", TimeJson(s.expires_at)},
              {"active", s.ActiveAt(now)},
              {"created_by",
               {{"type", s.created_by.type},
                {"id", s.created_by.id.empty() ? Json(nullptr) : Json(s.created_by.id)},
                {"name", s.created_by.name.empty() ? Json(nullptr) : Json(s.created_by.name)}}},
              {"created_at", TimeJson(s.created_at)},
              {"updated_at", TimeJson(s.updated_at)},
              {"dismissed", s.dismissed}};
}

HttpResponse SuppressionNotFound() {
  return ApiErrorResponse(kSuppressionNotFound, "no such suppression", "suppression_id");
}

// A reason that is not blank and not too long; the answer otherwise.
std::optional<HttpResponse> CheckReason(const std::string& reason) {
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
    return ApiErrorResponse(api::kErrorValidation, "reason: say why (it must not be blank)",
                            "/reason");
  if (reason.size() > kMaxReasonBytes)
    return ApiErrorResponse(api::kErrorValidation,
                            "reason: at most " + std::to_string(kMaxReasonBytes) + " bytes",
                            "/reason");
  return std::nullopt;
}

// A body's expires_at: nullopt for null; the answer when it is not a future time.
std::variant<std::optional<store::EpochMs>, HttpResponse> ReadExpiry(const Json& value,
                                                                     store::EpochMs now) {
  if (value.is_null()) return std::optional<store::EpochMs>();
  std::optional<int64_t> seconds =
      value.is_string() ? ParseRfc3339(value.get<std::string>()) : std::nullopt;
  if (!seconds || *seconds <= 0)
    return ApiErrorResponse(api::kErrorValidation, "expires_at: expected an RFC 3339 time",
                            "/expires_at");
  if (*seconds * 1000 <= now)
    return ApiErrorResponse(api::kErrorValidation,
                            "expires_at: " + value.get<std::string>() +
                                " is not in the future; a suppression must end after it starts",
                            "/expires_at");
  return std::optional<store::EpochMs>(*seconds * 1000);
}

std::string CreatedBy(const Principal& principal) {
  store::ProblemActor actor = ActorOf(principal);
  return actor.type + ":" + actor.id;
}

SuppressionActor ActorFor(const HandlerContext& ctx, const ApiCall& call) {
  SuppressionActor by;
  by.actor = ActorOf(call.principal);
  by.command_created_by = CreatedBy(call.principal);
  by.audit = call.audit;
  by.now = ctx.Now();
  return by;
}

void Wake(const HandlerContext& ctx, const std::set<int64_t>& hosts) {
  if (ctx.command_hub == nullptr) return;
  for (int64_t host : hosts) ctx.command_hub->Notify(host);
}

}  // namespace

void RegisterSuppressionsHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  auto load = [ctx](const ApiCall& call) -> std::variant<store::Suppression, HttpResponse> {
    std::optional<int64_t> id = IdParam(call, "suppression_id");
    if (!id) return SuppressionNotFound();
    auto found = ctx.store->suppressions().Get(*id);
    if (!found.ok()) return StoreErrorResponse(found.status(), call);
    if (!found->has_value()) return SuppressionNotFound();
    return **found;
  };

  handlers.Add("listSuppressions", [ctx](ApiCall& call) {
    auto query = BuildListQuery(call, SuppressionListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->suppressions().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    const store::EpochMs now = ctx.Now();
    return JsonResponse(200, PageJson(*page, [now](const store::Suppression& s) {
                          return SuppressionJson(s, now);
                        }));
  });

  handlers.AddAsync("exportSuppressions", [ctx](ApiCall& call, HttpResponder responder) {
    auto query = BuildListQuery(call, SuppressionListBinding());
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    const store::EpochMs now = ctx.Now();
    StreamExport<store::Suppression>(
        call, std::move(responder), "suppressions",
        {"id", "kind", "value", "target", "reason", "expires_at", "active", "created_by",
         "created_at", "updated_at", "dismissed"},
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::Suppression>& row) {
          return ctx.store->suppressions().Export(q, row);
        },
        [now](const store::Suppression& s) { return SuppressionJson(s, now); });
  });

  handlers.Add("getSuppression", [ctx, load](ApiCall& call) {
    auto loaded = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    return JsonResponse(200, SuppressionJson(std::get<store::Suppression>(loaded), ctx.Now()));
  });

  handlers.Add("createSuppression", [ctx](ApiCall& call) {
    const Json& body = *call.body;
    const store::EpochMs now = ctx.Now();
    store::NewSuppression s;
    s.kind =
        store::ParseSuppressionKind(body.value("kind", "")).value_or(store::SuppressionKind::kRule);
    s.value = body.value("value", "");
    if (auto error = SuppressionValueError(s.kind, s.value))
      return ApiErrorResponse(api::kErrorValidation,
                              "value: '" + s.value.substr(0, 64) + "' is not " + *error, "/value");
    auto target = ReadRecipeTarget(ctx, call, body.value("target", Json::object()));
    if (auto* answer = std::get_if<HttpResponse>(&target)) return *answer;
    s.target = std::get<store::RecipeTarget>(target);
    s.reason = body.value("reason", "");
    if (auto refused = CheckReason(s.reason)) return *refused;
    if (auto it = body.find("expires_at"); it != body.end()) {
      auto expiry = ReadExpiry(*it, now);
      if (auto* answer = std::get_if<HttpResponse>(&expiry)) return *answer;
      s.expires_at = std::get<std::optional<store::EpochMs>>(expiry);
    }
    s.created_by = ActorOf(call.principal);
    s.created_at = now;

    // Candidates: open problems of the targeted hosts (of the rule, for a rule).
    std::map<int64_t, store::Host> hosts;
    if (Status listed = CollectTargetableHosts(*ctx.store, std::nullopt, &hosts); !listed.ok())
      return StoreErrorResponse(listed, call);
    store::ListQuery open;
    open.filters.push_back({"status", store::FilterOp::kEq, std::string("open")});
    if (s.kind == store::SuppressionKind::kRule)
      open.filters.push_back({"rule_id", store::FilterOp::kEq, s.value});
    std::vector<int64_t> candidates;
    auto collect = [&](const store::FleetProblem& p) {
      auto host = hosts.find(p.host_id);
      if (host != hosts.end() && RecipeTargetMatches(host->second, s.target))
        candidates.push_back(p.id);
      return Status::Ok();
    };
    Status walked = s.kind == store::SuppressionKind::kRule
                        ? ctx.store->problems().ExportWithoutFinding(open, collect)
                        : ctx.store->problems().Export(open, collect);
    if (!walked.ok()) return ListErrorResponse(walked, call.http->id);

    SuppressionActor by = ActorFor(ctx, call);
    std::set<int64_t> wake;
    auto done =
        ctx.store
            ->Write([&](store::StoreWriter& w) -> Result<store::Suppression> {
              ASSIGN_OR_RETURN(store::Suppression created, w.suppressions().Create(s));
              ASSIGN_OR_RETURN(std::vector<store::Suppression> active,
                               w.suppressions().Active(now));
              for (int64_t id : candidates) {
                ASSIGN_OR_RETURN(std::optional<store::FleetProblem> p, w.problems().Get(id));
                if (!p) continue;
                auto host = hosts.find(p->host_id);
                if (host == hosts.end()) continue;
                ASSIGN_OR_RETURN(int64_t woken, SuppressIfCovered(w, *p, host->second, active, by));
                if (woken != 0) wake.insert(woken);
              }
              ASSIGN_OR_RETURN(std::optional<store::Suppression> after,
                               w.suppressions().Get(created.id));
              if (after) created = *after;
              store::AuditEntry entry = call.audit;
              entry.target_type = "suppression";
              entry.target_id = std::to_string(created.id);
              entry.after_json = AuditJson(SuppressionJson(created, now));
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return created;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    Wake(ctx, wake);
    return JsonResponse(201, SuppressionJson(*done, now));
  });

  handlers.Add("updateSuppression", [ctx, load](ApiCall& call) {
    auto loaded = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    const store::Suppression before = std::get<store::Suppression>(loaded);
    const store::EpochMs now = ctx.Now();
    if (!before.ActiveAt(now))
      return ApiErrorResponse(api::kErrorConflict, "suppression #" + std::to_string(before.id) +
                                                       " has expired; create a new one");
    const Json& body = *call.body;
    store::SuppressionChange change;
    change.updated_at = now;
    if (auto it = body.find("reason"); it != body.end() && it->is_string()) {
      if (auto refused = CheckReason(it->get<std::string>())) return *refused;
      change.reason = it->get<std::string>();
    }
    if (auto it = body.find("expires_at"); it != body.end()) {
      auto expiry = ReadExpiry(*it, now);
      if (auto* answer = std::get_if<HttpResponse>(&expiry)) return *answer;
      change.expires_at = std::get<std::optional<store::EpochMs>>(expiry);
    }
    SuppressionActor by = ActorFor(ctx, call);
    std::set<int64_t> wake;
    auto done =
        ctx.store
            ->Write([&](store::StoreWriter& w) -> Result<std::optional<store::Suppression>> {
              ASSIGN_OR_RETURN(std::vector<int64_t> held, w.suppressions().HeldProblems(before.id));
              ASSIGN_OR_RETURN(std::optional<store::Suppression> updated,
                               w.suppressions().Update(before.id, change));
              if (!updated) return updated;
              ASSIGN_OR_RETURN(std::vector<store::Suppression> active,
                               w.suppressions().Active(now));
              for (int64_t id : held) {
                ASSIGN_OR_RETURN(int64_t woken,
                                 ReconsiderHeldProblem(
                                     w, id, active, by,
                                     "suppression #" + std::to_string(before.id) + " changed"));
                if (woken != 0) wake.insert(woken);
              }
              ASSIGN_OR_RETURN(updated, w.suppressions().Get(before.id));
              if (!updated) return updated;
              store::AuditEntry entry = call.audit;
              entry.target_type = "suppression";
              entry.target_id = std::to_string(before.id);
              entry.before_json = AuditJson(SuppressionJson(before, now));
              entry.after_json = AuditJson(SuppressionJson(*updated, now));
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return updated;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->has_value()) return SuppressionNotFound();
    Wake(ctx, wake);
    return JsonResponse(200, SuppressionJson(**done, now));
  });

  handlers.Add("deleteSuppression", [ctx, load](ApiCall& call) {
    auto loaded = load(call);
    if (auto* answer = std::get_if<HttpResponse>(&loaded)) return *answer;
    const store::Suppression before = std::get<store::Suppression>(loaded);
    const store::EpochMs now = ctx.Now();
    SuppressionActor by = ActorFor(ctx, call);
    std::set<int64_t> wake;
    auto done =
        ctx.store
            ->Write([&](store::StoreWriter& w) -> Result<bool> {
              ASSIGN_OR_RETURN(std::vector<int64_t> held, w.suppressions().HeldProblems(before.id));
              ASSIGN_OR_RETURN(std::vector<store::Suppression> active,
                               w.suppressions().Active(now));
              std::erase_if(active, [&](const store::Suppression& s) { return s.id == before.id; });
              for (int64_t id : held) {
                ASSIGN_OR_RETURN(int64_t woken,
                                 ReconsiderHeldProblem(
                                     w, id, active, by,
                                     "suppression #" + std::to_string(before.id) + " deleted"));
                if (woken != 0) wake.insert(woken);
              }
              ASSIGN_OR_RETURN(bool deleted, w.suppressions().Delete(before.id));
              if (!deleted) return false;
              store::AuditEntry entry = call.audit;
              entry.target_type = "suppression";
              entry.target_id = std::to_string(before.id);
              entry.before_json = AuditJson(SuppressionJson(before, now));
              RETURN_IF_ERROR(w.audit().Append(entry).status());
              return true;
            })
            .Wait();
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!*done) return SuppressionNotFound();
    Wake(ctx, wake);
    HttpResponse response;
    response.status = 204;
    return response;
  });
}

}  // namespace warden::server
