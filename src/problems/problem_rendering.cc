#include "problems/problem_rendering.h"

#include "core/time_format.h"

namespace warden {

namespace {

// The finding as OCSF sees it: the problem's identity and times, and the
// occurrence count among the detector's attributes.
Finding FindingForOcsf(const Problem& p) {
  Finding f = p.finding;
  f.id = p.id;
  f.rule_id = p.rule_id;
  f.title = p.title;
  f.risk_level = p.risk_level;
  f.resource = p.resource;
  f.first_seen = p.first_detected;
  f.last_seen = p.last_detected;
  if (p.occurrences > 0) f.attributes["occurrences"] = p.occurrences;
  return f;
}

}  // namespace

Json ProblemFindingToJson(const Problem& p) {
  Json j = FindingToJson(p.finding);
  if (p.occurrences > 0) j["occurrences"] = p.occurrences;
  return j;
}

Json ProblemToJson(const Problem& p) {
  Json j = Json::object();
  j["id"] = p.id;
  j["rule_id"] = p.rule_id;
  j["title"] = p.title;
  j["risk_level"] = RiskLevelName(p.risk_level);
  j["status"] = ProblemStatusName(p.status);
  j["host"] = p.host;
  j["resource"] = p.resource;
  j["first_detected"] = FormatRfc3339(p.first_detected);
  j["last_detected"] = FormatRfc3339(p.last_detected);
  j["status_changed"] = FormatRfc3339(p.status_changed);
  j["resolved_at"] = p.resolved_at ? Json(FormatRfc3339(p.resolved_at)) : Json(nullptr);
  j["times_reopened"] = p.times_reopened;
  j["revision"] = p.revision;
  if (p.status == ProblemStatus::kDismissed || p.dismissed_at) {
    j["dismissed"] = {
        {"comment", p.dismissed_comment},
        {"at", FormatRfc3339(p.dismissed_at)},
        {"until", p.dismissed_until ? Json(FormatRfc3339(p.dismissed_until)) : Json(nullptr)}};
  } else {
    j["dismissed"] = nullptr;
  }
  j["finding"] = ProblemFindingToJson(p);
  return j;
}

Json ProblemEventToJson(const ProblemEvent& e) {
  Json j = Json::object();
  j["record_id"] = ProblemEventId(e);
  j["event"] = ProblemActionName(e.action);
  j["event_time"] = FormatRfc3339(e.at);
  j["comment"] = e.comment.empty() ? Json(nullptr) : Json(e.comment);
  const Json problem = ProblemToJson(e.problem);
  for (auto it = problem.begin(); it != problem.end(); ++it) j[it.key()] = it.value();
  return j;
}

Json ProblemEventToOcsf(const ProblemEvent& e) {
  const Problem& p = e.problem;
  const OcsfClass cls =
      p.rule_id == "HOST-VULN" ? OcsfClass::kVulnerabilityFinding : OcsfClass::kDetectionFinding;
  Json j = FindingToOcsf(FindingForOcsf(p), cls);
  int activity_id = 2;
  std::string activity = "Update";
  if (e.action == ProblemAction::kOpened) {
    activity_id = 1;
    activity = "Create";
  } else if (e.action == ProblemAction::kResolved) {
    activity_id = 3;
    activity = "Close";
  }
  j["activity_id"] = activity_id;
  j["activity_name"] = activity;
  j["type_uid"] = static_cast<int>(cls) * 100 + activity_id;
  j["time"] = e.at * 1000;
  const bool opened = e.action == ProblemAction::kOpened;
  switch (p.status) {
    case ProblemStatus::kOpen:
      j["status_id"] = opened ? 1 : 2;
      j["status"] = opened ? "New" : "In Progress";
      break;
    case ProblemStatus::kDismissed:
      j["status_id"] = 3;
      j["status"] = "Suppressed";
      break;
    case ProblemStatus::kResolved:
      j["status_id"] = 4;
      j["status"] = "Resolved";
      break;
  }
  if (!e.comment.empty()) j["comment"] = e.comment;
  j["metadata"]["uid"] = ProblemEventId(e);
  j["metadata"]["event_code"] = ProblemActionName(e.action);
  j["device"] = {{"hostname", p.host}, {"type_id", 0}};
  return j;
}

Json ProblemToOcsf(const Problem& p) {
  ProblemEvent e;
  e.problem = p;
  e.at = p.last_detected;
  e.action = p.status == ProblemStatus::kResolved    ? ProblemAction::kResolved
             : p.status == ProblemStatus::kDismissed ? ProblemAction::kDismissed
             : p.times_reopened > 0                  ? ProblemAction::kReopened
                                                     : ProblemAction::kOpened;
  return ProblemEventToOcsf(e);
}

}  // namespace warden
