// Rendering of problem events as agent records; shared by the scheduled
// detectors (agent.cc) and the continuous ones (event sources).
#include "agent/agent_record.h"

#include "core/risk_level.h"
#include "problems/problem_rendering.h"

namespace warden {

AgentRecord ProblemEventRecord(const ProblemEvent& e) {
  AgentRecord r;
  r.kind = RecordKind::kProblem;
  r.id = ProblemEventId(e);
  r.time_ms = e.at * 1000;
  const bool active = e.action == ProblemAction::kOpened || e.action == ProblemAction::kReopened ||
                      e.action == ProblemAction::kUpdated;
  r.syslog_severity = active ? SyslogSeverity(e.problem.risk_level) : 5;
  r.body = ProblemEventToJson(e);
  r.ocsf = ProblemEventToOcsf(e);
  const std::string& detail = e.problem.finding.description;
  r.summary = "problem " + std::string(ProblemActionName(e.action)) + " [" +
              std::string(RiskLevelName(e.problem.risk_level)) + "] " + e.problem.rule_id + " " +
              e.problem.title + " - " + detail + " (id " + e.problem.id.substr(0, 12) +
              (e.comment.empty() ? "" : "; " + e.comment) + ")";
  return r;
}

}  // namespace warden
