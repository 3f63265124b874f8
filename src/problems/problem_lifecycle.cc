#include "problems/problem_lifecycle.h"

#include <cctype>
#include <map>
#include <set>

#include "core/time_format.h"

namespace warden {

namespace {

bool DismissalExpired(const Problem& p, int64_t now) {
  return p.status == ProblemStatus::kDismissed && p.dismissed_until > 0 && p.dismissed_until <= now;
}

std::string ExpiryComment(const Problem& p) {
  return "dismissal expired on " + FormatRfc3339(p.dismissed_until);
}

ProblemEvent MakeEvent(const Problem& p, ProblemAction action, std::string comment, int64_t now) {
  ProblemEvent e;
  e.action = action;
  e.at = now;
  e.comment = std::move(comment);
  e.problem = p;
  return e;
}

void TakeFinding(const Finding& f, Problem* p) {
  p->title = f.title;
  p->risk_level = f.risk_level;
  p->resource = f.resource;
  p->finding = f;
  p->finding.first_seen = p->first_detected;
}

Problem NewProblem(const Finding& f, const std::string& rule_id, const std::string& host,
                   int64_t now) {
  Problem p;
  p.id = f.id;
  p.rule_id = rule_id;
  p.host = host;
  p.status = ProblemStatus::kOpen;
  p.first_detected = p.last_detected = p.status_changed = now;
  p.revision = 1;
  TakeFinding(f, &p);
  return p;
}

// A known problem detected again: takes the latest finding and, when the
// problem was resolved or its dismissal has expired, reopens it. Returns
// whether it was reopened (with the comment to give).
bool Redetect(const Finding& f, int64_t now, Problem* p, std::string* comment) {
  p->last_detected = now;
  TakeFinding(f, p);
  if (p->status == ProblemStatus::kResolved) {
    p->status = ProblemStatus::kOpen;
    p->status_changed = now;
    p->resolved_at = 0;
    ++p->times_reopened;
    ++p->revision;
    return true;
  }
  if (DismissalExpired(*p, now)) {
    p->status = ProblemStatus::kOpen;
    p->status_changed = now;
    ++p->revision;
    *comment = ExpiryComment(*p);
    return true;
  }
  return false;
}

}  // namespace

std::string ProblemFingerprint(const Finding& f) {
  return f.title + "\x1f" + std::string(RiskLevelName(f.risk_level)) + "\x1f" + f.resource +
         "\x1f" + f.attributes.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

LifecycleOutcome ReconcileProblems(const std::vector<Problem>& existing_list,
                                   const std::string& rule_id, const std::string& host,
                                   const Observation& seen, int64_t now) {
  std::map<std::string, Problem> existing;
  for (const Problem& p : existing_list) existing.emplace(p.id, p);
  LifecycleOutcome out;
  std::set<std::string> seen_ids;
  for (const Finding& f : seen.findings) {
    if (!seen_ids.insert(f.id).second) continue;  // a detector reporting one condition twice
    auto it = existing.find(f.id);
    if (it == existing.end()) {
      Problem p = NewProblem(f, rule_id, host, now);
      out.events.push_back(MakeEvent(p, ProblemAction::kOpened, "", now));
      out.changes.push_back({std::move(p), /*is_new=*/true});
      continue;
    }
    Problem& p = it->second;
    const bool changed = ProblemFingerprint(p.finding) != ProblemFingerprint(f);
    std::string comment;
    if (Redetect(f, now, &p, &comment)) {
      out.events.push_back(MakeEvent(p, ProblemAction::kReopened, std::move(comment), now));
    } else if (p.status == ProblemStatus::kOpen && changed) {
      ++p.revision;
      out.events.push_back(MakeEvent(p, ProblemAction::kUpdated, "", now));
    }
    out.changes.push_back({p, /*is_new=*/false});
  }
  for (auto& [id, p] : existing) {
    if (seen_ids.count(id)) continue;
    if (p.status != ProblemStatus::kOpen && !DismissalExpired(p, now)) continue;
    std::string comment = p.status == ProblemStatus::kDismissed ? ExpiryComment(p) : "";
    p.status = ProblemStatus::kResolved;
    p.status_changed = now;
    p.resolved_at = now;
    ++p.revision;
    out.events.push_back(MakeEvent(p, ProblemAction::kResolved, std::move(comment), now));
    out.changes.push_back({p, /*is_new=*/false});
  }
  return out;
}

LifecycleOutcome RaiseProblems(const std::vector<Problem>& known,
                               const std::vector<Finding>& findings, const std::string& host,
                               int64_t now) {
  std::map<std::string, Problem> stored;
  for (const Problem& p : known) stored.emplace(p.id, p);
  std::map<std::string, ProblemChange> touched;  // one write per problem
  LifecycleOutcome out;
  for (const Finding& f : findings) {
    auto it = touched.find(f.id);
    if (it == touched.end()) {
      auto s = stored.find(f.id);
      if (s != stored.end()) it = touched.emplace(f.id, ProblemChange{s->second, false}).first;
    }
    if (it == touched.end()) {
      Problem p = NewProblem(f, f.rule_id, host, now);
      p.occurrences = 1;
      out.events.push_back(MakeEvent(p, ProblemAction::kOpened, "", now));
      touched.emplace(f.id, ProblemChange{std::move(p), /*is_new=*/true});
      continue;
    }
    Problem& p = it->second.problem;
    std::string comment;
    const bool reopened = Redetect(f, now, &p, &comment);
    ++p.occurrences;
    out.events.push_back(MakeEvent(p,
                                   reopened ? ProblemAction::kReopened : ProblemAction::kOccurred,
                                   std::move(comment), now));
  }
  for (auto& [id, change] : touched) out.changes.push_back(std::move(change));
  return out;
}

Status CheckDismissalComment(const std::string& comment) {
  for (char c : comment)
    if (!std::isspace(static_cast<unsigned char>(c))) return Status::Ok();
  return InvalidArgument("--comment: a dismissal needs a comment saying why");
}

Result<ProblemEvent> DismissProblem(Problem p, const std::string& comment, int64_t until,
                                    int64_t now) {
  RETURN_IF_ERROR(CheckDismissalComment(comment));
  if (until != 0 && until <= now)
    return InvalidArgument("--until: " + FormatRfc3339(until) +
                           " is not in the future; a dismissal must end after it starts (or "
                           "use --for 30d)");
  p.status = ProblemStatus::kDismissed;
  p.status_changed = now;
  p.dismissed_comment = comment;
  p.dismissed_at = now;
  p.dismissed_until = until;
  ++p.revision;
  return MakeEvent(p, ProblemAction::kDismissed, comment, now);
}

Result<ProblemEvent> UndismissProblem(Problem p, const std::string& comment, int64_t now) {
  if (p.status != ProblemStatus::kDismissed)
    return InvalidArgument("problem " + p.id + " is " + std::string(ProblemStatusName(p.status)) +
                           ", not dismissed");
  p.status = ProblemStatus::kOpen;
  p.status_changed = now;
  p.dismissed_until = 0;
  ++p.revision;
  return MakeEvent(p, ProblemAction::kUndismissed, comment, now);
}

}  // namespace warden
