// Problems across the fleet: listProblems, exportProblems, getProblem, the
// problem's history (listProblemHistory, exportProblemHistory), one host's
// problems (listHostProblems, exportHostProblems), and dismissProblem /
// undismissProblem.
//
// A dismissal on the server follows the agent's rule (src/problems'
// DismissProblem / UndismissProblem: a comment is mandatory, an expiry must
// be in the future, only a dismissed problem can be undismissed). The new
// state, its history entry (who, when, comment), the audit entry and a
// `dismiss` / `undismiss` command for the problem's agent are written in one
// Store::Write; once committed, the host's long-poll is woken, so the agent
// applies it to its own store (where it survives restarts) and reports the
// problem back.
//
// bulkDismissProblems / bulkUndismissProblems apply the same change to each
// problem chosen by ids or by a filter with the problem list's filters (one
// transaction per problem; a problem that cannot change is listed in
// `errors` and the others still change); dry_run only counts.
//
// Lists and exports render rows as text (ProblemRowText), never as a Json
// document per row; remediation and links come from the store's columns.
//
// The store work of one dismissal is problem_dismissal.h's, shared with
// suppressions. Not here: dismissal expiry on the server.
#include <set>
#include <string>

#include "core/time_format.h"
#include "problems/problem_lifecycle.h"
#include "server/command_hub.h"
#include "server/list_response.h"
#include "server/osquery_handlers.h"
#include "server/problem_dismissal.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

std::map<std::string, int64_t, std::less<>> RiskRanks() {
  std::map<std::string, int64_t, std::less<>> ranks;
  for (RiskLevel level : {RiskLevel::kLow, RiskLevel::kMedium, RiskLevel::kHigh,
                          RiskLevel::kVeryHigh, RiskLevel::kExtreme}) {
    ranks[std::string(RiskLevelName(level))] = static_cast<int64_t>(level);
  }
  return ranks;
}

ListBinding ProblemListBinding() {
  ListBinding b;
  for (const char* field : {"last_detected_at", "first_detected_at", "risk_level", "rule_id",
                            "status", "title", "hostname"}) {
    b.sort_fields[field] = field;
  }
  b.filters["status"] = OneOfFilter("status", {"open", "resolved", "dismissed"});
  b.filters["risk_level"] = RankOneOfFilter("risk_level", RiskRanks());
  b.filters["min_risk_level"] = MinRankFilter("risk_level", RiskRanks());
  b.filters["rule_id"] = AnyValueFilter("rule_id");
  b.filters["q"] = TextSearchFilter({"title", "hostname", "rule_id"});
  b.filters["label"] = AnyValueFilter("label");
  b.filters["last_detected_after"] = TimeFilter("last_detected_at", store::FilterOp::kGe);
  b.filters["last_detected_before"] = TimeFilter("last_detected_at", store::FilterOp::kLt);
  // The query filter of listProblems and the path parameter of listHostProblems.
  b.filters["host_id"] = IdFilter("host_id");
  b.filters["account_id"] = IdFilter("account_id");
  b.filters["subject"] = OneOfFilter("subject", {"host", "cloud"});
  return b;
}

ListBinding HistoryListBinding() {
  ListBinding b;
  b.sort_fields["revision"] = "revision";
  b.filters["problem_id"] = IdFilter("problem_id");
  b.filters["action"] = OneOfFilter("action", {"opened", "updated", "resolved", "reopened",
                                               "dismissed", "undismissed", "dismissal_expired"});
  return b;
}

Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Json ActorJson(const store::ProblemActor& actor) {
  return {{"type", actor.type}, {"id", NullIfEmpty(actor.id)}, {"name", NullIfEmpty(actor.name)}};
}

// Who a person acting through the API is, as the problem history says it.
std::string CreatedBy(const Principal& principal) {
  store::ProblemActor actor = ActorOf(principal);
  return actor.type + ":" + actor.id;
}

const std::vector<std::string>& ProblemColumns() {
  static const std::vector<std::string> columns = {"id",
                                                   "host_id",
                                                   "account_id",
                                                   "hostname",
                                                   "agent_problem_id",
                                                   "rule_id",
                                                   "title",
                                                   "risk_level",
                                                   "status",
                                                   "resource",
                                                   "first_detected_at",
                                                   "last_detected_at",
                                                   "status_changed_at",
                                                   "resolved_at",
                                                   "times_reopened",
                                                   "revision",
                                                   "dismissal",
                                                   "remediation",
                                                   "links",
                                                   "description"};
  return columns;
}

// Checks a dismissal body's comment and `until` (epoch seconds, 0 = none)
// before anything is written; the answer when they are refused. Whether
// `until` is in the future is the lifecycle's rule, checked at the change.
std::optional<HttpResponse> ParseDismissal(const Json& body, int64_t* until) {
  *until = 0;
  if (auto it = body.find("until"); it != body.end() && it->is_string()) {
    std::optional<int64_t> parsed = ParseRfc3339(it->get<std::string>());
    if (!parsed) {
      return ApiErrorResponse(api::kErrorValidation, "until: expected an RFC 3339 time", "until");
    }
    if (*parsed <= 0) {
      return ApiErrorResponse(api::kErrorValidation, "until: must be in the future", "until");
    }
    *until = *parsed;
  }
  if (Status blank = CheckDismissalComment(body.value("comment", std::string())); !blank.ok()) {
    return ApiErrorResponse(api::kErrorValidation, std::string(blank.message()), "comment");
  }
  return std::nullopt;
}

}  // namespace

Json ProblemJson(const store::FleetProblem& p, bool with_details) {
  Json finding = Json::parse(p.finding_json, nullptr, false);
  if (!finding.is_object()) finding = Json::object();
  Json remediation = nullptr;
  if (auto it = finding.find("remediation");
      it != finding.end() && it->is_string() && !it->get<std::string>().empty()) {
    remediation = *it;
  }
  Json links = Json::array();
  if (auto it = finding.find("links"); it != finding.end() && it->is_array()) {
    for (const Json& l : *it)
      if (l.is_string()) links.push_back(l);
  }
  Json j = Json::object();
  j["id"] = std::to_string(p.id);
  j["host_id"] = p.cloud_account_id ? Json(nullptr) : Json(std::to_string(p.host_id));
  j["account_id"] = p.cloud_account_id ? Json(std::to_string(*p.cloud_account_id)) : Json(nullptr);
  j["hostname"] = p.hostname;
  j["agent_problem_id"] = p.agent_problem_id;
  j["rule_id"] = p.rule_id;
  j["title"] = p.title;
  j["description"] = p.description ? Json(*p.description) : Json(nullptr);
  j["risk_level"] = RiskLevelName(p.risk_level);
  j["status"] = ProblemStatusName(p.status);
  j["resource"] = p.resource;
  j["first_detected_at"] = TimeJson(p.first_detected_at);
  j["last_detected_at"] = TimeJson(p.last_detected_at);
  j["status_changed_at"] = TimeJson(p.status_changed_at);
  j["resolved_at"] = TimeJson(p.resolved_at);
  j["times_reopened"] = p.times_reopened;
  j["revision"] = p.revision;
  j["occurrences"] = p.occurrences;
  if (p.dismissal) {
    j["dismissal"] = Json{{"comment", p.dismissal->comment},
                          {"by", ActorJson(p.dismissal->by)},
                          {"at", TimeJson(p.dismissal->at)},
                          {"until", TimeJson(p.dismissal->until)}};
  } else {
    j["dismissal"] = nullptr;
  }
  j["remediation"] = std::move(remediation);
  j["links"] = std::move(links);
  j["finding"] = std::move(finding);
  if (with_details) {
    Json details = Json::parse(p.details_json, nullptr, false);
    Json objects = Json::array();
    if (details.is_array()) {
      for (Json& d : details)
        if (d.is_object()) objects.push_back(std::move(d));
    }
    j["details"] = std::move(objects);
  }
  return j;
}

void ProblemRowText(const store::FleetProblem& p, RowText& out) {
  out.String("id", std::to_string(p.id))
      .String("host_id", p.cloud_account_id ? std::nullopt
                                            : std::optional<std::string>(std::to_string(p.host_id)))
      .String("account_id", p.cloud_account_id
                                ? std::optional<std::string>(std::to_string(*p.cloud_account_id))
                                : std::nullopt)
      .String("hostname", p.hostname)
      .String("agent_problem_id", p.agent_problem_id)
      .String("rule_id", p.rule_id)
      .String("title", p.title)
      .String("description", p.description)
      .String("risk_level", RiskLevelName(p.risk_level))
      .String("status", ProblemStatusName(p.status))
      .String("resource", p.resource)
      .Time("first_detected_at", p.first_detected_at)
      .Time("last_detected_at", p.last_detected_at)
      .Time("status_changed_at", p.status_changed_at)
      .Time("resolved_at", p.resolved_at)
      .Int("times_reopened", p.times_reopened)
      .Int("revision", p.revision)
      .Int("occurrences", p.occurrences);
  if (p.dismissal && out.Wants("dismissal")) {
    // {"comment","by":{"type","id","name"},"at","until"}, as ProblemJson.
    const store::ProblemDismissal& d = *p.dismissal;
    std::string text = "{\"comment\":";
    RowText::AppendJsonString(text, d.comment);
    text += ",\"by\":{\"type\":";
    RowText::AppendJsonString(text, d.by.type);
    for (auto [key, value] : {std::pair<const char*, const std::string*>{"id", &d.by.id},
                              std::pair<const char*, const std::string*>{"name", &d.by.name}}) {
      text += ",\"" + std::string(key) + "\":";
      if (value->empty())
        text += "null";
      else
        RowText::AppendJsonString(text, *value);
    }
    text += "},\"at\":";
    RowText::AppendJsonString(text, FormatRfc3339(d.at / 1000));
    text += ",\"until\":";
    if (d.until)
      RowText::AppendJsonString(text, FormatRfc3339(*d.until / 1000));
    else
      text += "null";
    text += "}";
    out.RawJson("dismissal", text);
  } else {  // none, or a column set without it
    out.Null("dismissal");
  }
  out.String("remediation", p.remediation);
  // Both come from the store, which writes them as compact JSON (an array,
  // an object); anything else would break the line, so it is replaced.
  const bool links_ok =
      p.links_json.size() >= 2 && p.links_json.front() == '[' && p.links_json.back() == ']';
  out.RawJson("links", links_ok ? std::string_view(p.links_json) : "[]");
  if (out.Wants("finding")) {
    const bool finding_ok =
        p.finding_json.size() >= 2 && p.finding_json.front() == '{' && p.finding_json.back() == '}';
    out.RawJson("finding", finding_ok ? std::string_view(p.finding_json) : "{}");
  }
}

Json ProblemHistoryJson(const store::ProblemHistoryRecord& h) {
  return {{"revision", h.revision},      {"at", TimeJson(h.at)},
          {"action", h.action},          {"status", ProblemStatusName(h.status)},
          {"actor", ActorJson(h.actor)}, {"comment", h.comment ? Json(*h.comment) : Json(nullptr)}};
}

void RegisterProblemsHandlers(ApiHandlers& handlers, const HandlerContext& ctx) {
  auto problems = std::make_shared<const ListBinding>(ProblemListBinding());
  auto history = std::make_shared<const ListBinding>(HistoryListBinding());
  auto render = [](const store::FleetProblem& p, RowText& out) { ProblemRowText(p, out); };
  auto problem_not_found = [] {
    return ApiErrorResponse(api::kErrorProblemNotFound, "no such problem", "problem_id");
  };
  auto check_problem = [ctx,
                        problem_not_found](const ApiCall& call) -> std::optional<HttpResponse> {
    std::optional<int64_t> id = IdParam(call, "problem_id");
    if (!id) return problem_not_found();
    auto problem = ctx.store->problems().Get(*id);
    if (!problem.ok()) return StoreErrorResponse(problem.status(), call);
    if (!problem->has_value()) return problem_not_found();
    return std::nullopt;
  };

  auto list = [ctx, problems, render](ApiCall& call) {
    auto query = BuildListQuery(call, *problems);
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->problems().List(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return PageResponse(*page, render);
  };
  auto export_list = [ctx, problems, render](ApiCall& call, HttpResponder responder,
                                             const std::string& file_base) {
    auto query = BuildListQuery(call, *problems);
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    // CSV shows neither the finding nor its details: the store skips them.
    const bool csv = call.params.value("format", std::string("csv")) == "csv";
    StreamExport<store::FleetProblem>(
        call, std::move(responder), file_base, ProblemColumns(), std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::FleetProblem>& row) {
          return csv ? ctx.store->problems().ExportWithoutFinding(q, row)
                     : ctx.store->problems().Export(q, row);
        },
        render);
  };

  handlers.Add("listProblems", list);
  handlers.AddAsync("exportProblems", [export_list](ApiCall& call, HttpResponder responder) {
    export_list(call, std::move(responder), "problems");
  });
  handlers.Add("listHostProblems", [ctx, list](ApiCall& call) {
    if (auto refused = CheckHostExists(ctx, call)) return *refused;
    return list(call);
  });
  handlers.AddAsync("exportHostProblems",
                    [ctx, export_list](ApiCall& call, HttpResponder responder) {
                      if (auto refused = CheckHostExists(ctx, call)) {
                        responder.Send(*refused);
                        return;
                      }
                      export_list(call, std::move(responder), "host-problems");
                    });

  handlers.Add("getProblem", [ctx, problem_not_found](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "problem_id");
    if (!id) return problem_not_found();
    auto problem = ctx.store->problems().Get(*id);
    if (!problem.ok()) return StoreErrorResponse(problem.status(), call);
    if (!problem->has_value()) return problem_not_found();
    return JsonResponse(200, ProblemJson(**problem, true));
  });

  handlers.Add("listProblemHistory", [ctx, history, check_problem](ApiCall& call) {
    if (auto refused = check_problem(call)) return *refused;
    auto query = BuildListQuery(call, *history);
    if (auto* error = std::get_if<api::ApiError>(&query)) return ErrorResponse(*error);
    auto page = ctx.store->problems().ListHistory(std::get<store::ListQuery>(query));
    if (!page.ok()) return ListErrorResponse(page.status(), call.http->id);
    return JsonResponse(200, PageJson(*page, ProblemHistoryJson));
  });
  handlers.AddAsync("exportProblemHistory", [ctx, history, check_problem](ApiCall& call,
                                                                          HttpResponder responder) {
    if (auto refused = check_problem(call)) {
      responder.Send(*refused);
      return;
    }
    auto query = BuildListQuery(call, *history);
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      responder.Send(ErrorResponse(*error));
      return;
    }
    StreamExport<store::ProblemHistoryRecord>(
        call, std::move(responder), "problem-history",
        {"revision", "at", "action", "status", "actor", "comment"},
        std::get<store::ListQuery>(query),
        [&](const store::ListQuery& q, const store::RowCallback<store::ProblemHistoryRecord>& row) {
          return ctx.store->problems().ExportHistory(q, row);
        },
        ProblemHistoryJson);
  });

  // Applies a lifecycle step to problem `id` with its history entry, audit
  // entry and agent command in one write (problem_dismissal.h); wakes the
  // agent once committed.
  auto change = [ctx](ApiCall& call, int64_t id, bool dismiss, const std::string& comment,
                      int64_t until_seconds) -> Result<DismissalOutcome> {
    DismissalChange c;
    c.dismiss = dismiss;
    c.comment = comment;
    c.until_seconds = until_seconds;
    c.actor = ActorOf(call.principal);
    c.command_created_by = CreatedBy(call.principal);
    c.audit = call.audit;
    c.now = ctx.Now();
    auto done = ctx.store
                    ->Write([&](store::StoreWriter& w) -> Result<DismissalOutcome> {
                      return ChangeProblemDismissal(w, id, c);
                    })
                    .Wait();
    if (done.ok() && done->command_host != 0 && ctx.command_hub != nullptr) {
      ctx.command_hub->Notify(done->command_host);
    }
    return done;
  };

  handlers.Add("dismissProblem", [change, problem_not_found](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "problem_id");
    if (!id) return problem_not_found();
    const std::string comment = call.body->value("comment", "");
    int64_t until = 0;
    if (auto refused = ParseDismissal(*call.body, &until)) return *refused;
    auto done = change(call, *id, true, comment, until);
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->after) return problem_not_found();
    if (done->unavailable)
      return ApiErrorResponse(kErrorAgentFeatureUnavailable, *done->unavailable);
    if (done->refused) {
      // The comment was checked above: the lifecycle refused the expiry.
      return ApiErrorResponse(api::kErrorValidation,
                              "until: " + call.body->value("until", std::string()) +
                                  " is not in the future; a dismissal must end after it starts",
                              "until");
    }
    return JsonResponse(200, ProblemJson(*done->after, true));
  });

  handlers.Add("undismissProblem", [change, problem_not_found](ApiCall& call) {
    std::optional<int64_t> id = IdParam(call, "problem_id");
    if (!id) return problem_not_found();
    std::string comment;
    if (call.body) {
      if (auto it = call.body->find("comment"); it != call.body->end() && it->is_string()) {
        comment = it->get<std::string>();
      }
    }
    auto done = change(call, *id, false, comment, 0);
    if (!done.ok()) return StoreErrorResponse(done.status(), call);
    if (!done->after) return problem_not_found();
    if (done->unavailable)
      return ApiErrorResponse(kErrorAgentFeatureUnavailable, *done->unavailable);
    if (done->refused) return ApiErrorResponse(api::kErrorConflict, *done->refused);
    return JsonResponse(200, ProblemJson(*done->after, true));
  });

  // The problems a bulk body chooses: its ids, or every problem its filter
  // selects (the list's filters and meaning); the answer when refused.
  auto chosen = [ctx, problems](const ApiCall& call,
                                std::vector<int64_t>* ids) -> std::optional<HttpResponse> {
    const Json& body = *call.body;
    if (auto it = body.find("ids"); it != body.end()) {
      for (const Json& id : *it) {
        std::optional<int64_t> parsed =
            id.is_string() ? ParseId(id.get<std::string>()) : std::nullopt;
        ids->push_back(parsed.value_or(0));  // 0 names nothing: reported per id
      }
      return std::nullopt;
    }
    ApiCall filtered;
    filtered.operation = call.operation;
    filtered.http = call.http;
    filtered.params = body.value("filter", Json::object());
    auto query = BuildListQuery(filtered, *problems);
    if (auto* error = std::get_if<api::ApiError>(&query)) {
      api::ApiError e = *error;
      if (!e.field.empty()) e.field = "/filter/" + e.field;
      return ErrorResponse(e);
    }
    Status walked = ctx.store->problems().Export(std::get<store::ListQuery>(query),
                                                 [&](const store::FleetProblem& p) {
                                                   ids->push_back(p.id);
                                                   return Status::Ok();
                                                 });
    if (!walked.ok()) return ListErrorResponse(walked, call.http->id);
    return std::nullopt;
  };

  auto bulk = [ctx, change, chosen](ApiCall& call, bool dismiss) {
    const Json& body = *call.body;
    std::string comment;
    if (auto it = body.find("comment"); it != body.end() && it->is_string()) {
      comment = it->get<std::string>();
    }
    int64_t until = 0;
    if (dismiss) {
      if (auto refused = ParseDismissal(body, &until)) return *refused;
      if (until != 0 && until <= ctx.Now() / 1000) {
        return ApiErrorResponse(api::kErrorValidation,
                                "until: " + body.value("until", std::string()) +
                                    " is not in the future; a dismissal must end after it starts",
                                "until");
      }
    }
    std::vector<int64_t> ids;
    if (auto refused = chosen(call, &ids)) return *refused;
    const bool dry_run = body.value("dry_run", false);
    int64_t affected = 0;
    Json errors = Json::array();
    auto error = [&](int64_t id, std::string_view code, std::string message) {
      errors.push_back({{"id", std::to_string(id)}, {"code", code}, {"message", message}});
    };
    for (int64_t id : ids) {
      if (dry_run) {
        auto problem = id > 0 ? ctx.store->problems().Get(id)
                              : Result<std::optional<store::FleetProblem>>(std::nullopt);
        if (!problem.ok()) return StoreErrorResponse(problem.status(), call);
        if (!problem->has_value()) {
          error(id, api::kErrorProblemNotFound, "no such problem");
        } else if (!dismiss && (*problem)->status != ProblemStatus::kDismissed) {
          error(id, api::kErrorConflict, "the problem is not dismissed");
        } else {
          ++affected;
        }
        continue;
      }
      if (id <= 0) {
        error(id, api::kErrorProblemNotFound, "no such problem");
        continue;
      }
      auto done = change(call, id, dismiss, comment, until);
      if (!done.ok()) return StoreErrorResponse(done.status(), call);
      if (!done->after) {
        error(id, api::kErrorProblemNotFound, "no such problem");
      } else if (done->unavailable) {
        error(id, kErrorAgentFeatureUnavailable, *done->unavailable);
      } else if (done->refused) {
        error(id, dismiss ? api::kErrorValidation : api::kErrorConflict, *done->refused);
      } else {
        ++affected;
      }
    }
    return JsonResponse(
        200, Json{{"dry_run", dry_run}, {"affected", affected}, {"errors", std::move(errors)}});
  };
  handlers.Add("bulkDismissProblems", [bulk](ApiCall& call) { return bulk(call, true); });
  handlers.Add("bulkUndismissProblems", [bulk](ApiCall& call) { return bulk(call, false); });
}

}  // namespace warden::server
