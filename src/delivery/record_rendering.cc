#include "delivery/record_rendering.h"

#include "core/risk_level.h"
#include "problems/problem_rendering.h"

namespace warden {

namespace {

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string_view RecordFormatName(RecordFormat format) {
  switch (format) {
    case RecordFormat::kWarden:
      return "warden";
    case RecordFormat::kOcsf:
      return "ocsf";
    case RecordFormat::kText:
      return "text";
  }
  return "warden";
}

std::optional<RecordFormat> ParseRecordFormat(std::string_view name) {
  for (RecordFormat f : {RecordFormat::kWarden, RecordFormat::kOcsf, RecordFormat::kText})
    if (RecordFormatName(f) == name) return f;
  return std::nullopt;
}

std::string RenderRecordJson(const Record& r, RecordFormat format) {
  const bool ocsf = format == RecordFormat::kOcsf;
  if (r.problem)
    return Dump(ocsf ? ProblemEventToOcsf(*r.problem) : ProblemEventToJson(*r.problem));
  if (r.finding)
    return Dump(ocsf ? FindingToOcsf(*r.finding, OcsfClass::kDetectionFinding)
                     : FindingToJson(*r.finding));
  return Dump(r.body);
}

std::string RenderRecord(const Record& r, RecordFormat format) {
  if (format != RecordFormat::kText) return RenderRecordJson(r, format);
  std::string line = RecordSummary(r);
  return line.empty() ? RenderRecordJson(r, RecordFormat::kWarden) : line;
}

std::string RecordSummary(const Record& r) {
  if (r.problem) {
    const ProblemEvent& e = *r.problem;
    const Problem& p = e.problem;
    return "problem " + std::string(ProblemActionName(e.action)) + " [" +
           std::string(RiskLevelName(p.risk_level)) + "] " + p.rule_id + " " + p.title + " - " +
           p.finding.description + " (id " + p.id.substr(0, 12) +
           (e.comment.empty() ? "" : "; " + e.comment) + ")";
  }
  if (r.finding) {
    const Finding& f = *r.finding;
    return f.rule_id + " [" + std::string(RiskLevelDisplayName(f.risk_level)) + "] " + f.title +
           ": " + f.description.substr(0, 300);
  }
  return r.summary;
}

int RecordSyslogSeverity(const Record& r) {
  if (r.problem) {
    const ProblemAction a = r.problem->action;
    const bool active = a == ProblemAction::kOpened || a == ProblemAction::kReopened ||
                        a == ProblemAction::kUpdated;
    return active ? SyslogSeverity(r.problem->problem.risk_level) : 5;
  }
  if (r.finding) return SyslogSeverity(r.finding->risk_level);
  return r.syslog_severity;
}

}  // namespace warden
