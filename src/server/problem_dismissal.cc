#include "server/problem_dismissal.h"

#include "problems/problem_lifecycle.h"
#include "server/osquery_handlers.h"
#include "server/rest_handlers.h"

namespace warden::server {
namespace {

// The lifecycle's view of a stored problem (seconds, as src/problems keeps them).
Problem LifecycleProblem(const store::FleetProblem& p) {
  Problem out;
  out.id = p.agent_problem_id;
  out.rule_id = p.rule_id;
  out.host = p.hostname;
  out.title = p.title;
  out.risk_level = p.risk_level;
  out.resource = p.resource;
  out.status = p.status;
  out.first_detected = p.first_detected_at / 1000;
  out.last_detected = p.last_detected_at / 1000;
  out.status_changed = p.status_changed_at / 1000;
  out.resolved_at = p.resolved_at ? *p.resolved_at / 1000 : 0;
  out.times_reopened = p.times_reopened;
  out.revision = p.revision;
  if (p.dismissal) {
    out.dismissed_comment = p.dismissal->comment;
    out.dismissed_at = p.dismissal->at / 1000;
    out.dismissed_until = p.dismissal->until ? *p.dismissal->until / 1000 : 0;
  }
  return out;
}

}  // namespace

Result<DismissalOutcome> ChangeProblemDismissal(store::StoreWriter& w, int64_t problem_id,
                                                const DismissalChange& change) {
  DismissalOutcome out;
  const bool dismiss = change.dismiss;
  const store::EpochMs now = change.now;
  ASSIGN_OR_RETURN(std::optional<store::FleetProblem> before, w.problems().Get(problem_id));
  if (!before) return out;
  // A cloud account's problem lives on the server only: no agent to tell.
  const bool on_host = !before->cloud_account_id.has_value();
  std::optional<store::Host> host;
  if (on_host) {
    ASSIGN_OR_RETURN(host, w.hosts().Get(before->host_id));
  }
  if (host && IsOsqueryHost(*host)) {
    out.after = before;
    out.unavailable = "host " + std::to_string(host->id) + " (" + host->hostname +
                      ") runs osquery, which takes no " + (dismiss ? "dismiss" : "undismiss") +
                      " commands";
    return out;
  }
  Result<ProblemEvent> event =
      dismiss ? DismissProblem(LifecycleProblem(*before), change.comment, change.until_seconds,
                               now / 1000)
              : UndismissProblem(LifecycleProblem(*before), change.comment, now / 1000);
  if (!event.ok()) {
    out.refused = std::string(event.status().message());
    out.after = before;
    return out;
  }
  store::FleetProblem after = *before;
  after.status = event->problem.status;
  after.status_changed_at = now;
  after.revision = event->problem.revision;
  after.updated_at = now;
  if (dismiss) {
    store::ProblemDismissal d;
    d.comment = change.comment;
    d.by = change.actor;
    d.at = now;
    if (change.until_seconds != 0) d.until = change.until_seconds * 1000;
    after.dismissal = d;
  } else {
    after.dismissal.reset();
  }
  ASSIGN_OR_RETURN(store::ProblemUpsert stored, w.problems().Upsert(after));
  store::ProblemHistoryRecord h;
  h.problem_id = problem_id;
  h.revision = stored.problem.revision;
  h.at = now;
  h.action = dismiss ? "dismissed" : "undismissed";
  h.status = stored.problem.status;
  h.actor = change.actor;
  if (!change.comment.empty()) h.comment = change.comment;
  RETURN_IF_ERROR(w.problems().AppendHistory(h).status());
  store::AuditEntry entry = change.audit;
  entry.target_type = "problem";
  entry.target_id = std::to_string(problem_id);
  entry.before_json = AuditJson(ProblemJson(*before, false));
  entry.after_json = AuditJson(ProblemJson(stored.problem, false));
  RETURN_IF_ERROR(w.audit().Append(entry).status());
  out.after = stored.problem;
  if (!on_host) return out;
  store::NewAgentCommand command;
  command.host_id = before->host_id;
  command.type = dismiss ? "dismiss" : "undismiss";
  Json args = {
      {"problem_id", before->agent_problem_id},
      {"comment", change.comment.empty() && !dismiss ? Json(nullptr) : Json(change.comment)}};
  if (dismiss) {
    args["until_ms"] =
        change.until_seconds != 0 ? Json(change.until_seconds * 1000) : Json(nullptr);
  }
  command.args_json = args.dump();
  command.created_by = change.command_created_by;
  command.created_at = now;
  RETURN_IF_ERROR(w.commands().Create(command).status());
  out.command_host = before->host_id;
  return out;
}

}  // namespace warden::server
