#include "delivery/record.h"

namespace warden {

std::string_view RecordKindName(RecordKind kind) {
  switch (kind) {
    case RecordKind::kResult:
      return "results";
    case RecordKind::kProblem:
      return "problems";
    case RecordKind::kStatus:
      return "status";
    case RecordKind::kEvent:
      return "events";
    case RecordKind::kTest:
      return "test";
    case RecordKind::kFinding:
      return "findings";
    case RecordKind::kInventory:
      return "inventory";
    case RecordKind::kAudit:
      return "audit";
  }
  return "results";
}

std::optional<RecordKind> ParseRecordKind(std::string_view name) {
  for (RecordKind k :
       {RecordKind::kResult, RecordKind::kProblem, RecordKind::kStatus, RecordKind::kEvent,
        RecordKind::kTest, RecordKind::kFinding, RecordKind::kInventory, RecordKind::kAudit})
    if (RecordKindName(k) == name) return k;
  return std::nullopt;
}

Record ProblemEventRecord(const ProblemEvent& event) {
  Record r;
  r.kind = RecordKind::kProblem;
  r.id = ProblemEventId(event);
  r.time_ms = event.at * 1000;
  r.problem = event;
  return r;
}

Record FindingRecord(const Finding& finding) {
  Record r;
  r.kind = RecordKind::kFinding;
  r.id = finding.id;
  r.time_ms = finding.last_seen * 1000;
  r.finding = finding;
  return r;
}

}  // namespace warden
