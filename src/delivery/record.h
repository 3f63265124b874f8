// Record is one thing Warden reports to the outside world, whoever produces
// it: a scheduled-query result line, a problem event, a status heartbeat, a
// host event, a CloudTrail finding, or a sink test. A record carries what it
// is about (a generic JSON body, a typed problem event, or a typed finding);
// how it is written out (Warden JSON, OCSF, a line for people, a Slack
// message, a syslog severity) is chosen by the sink that sends it
// (record_rendering.h), never pre-computed by the producer. The id is stable
// for the same fact (a problem's revision, a result line's
// query/epoch/counter/row), so a record re-sent after a crash carries the id
// it had the first time, and receivers de-duplicate by it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/finding.h"
#include "problems/problem.h"

namespace warden {

// What a record is, for routing to sinks ("records: [results, problems]").
// kInventory: full snapshots of the host's packages or listeners, for the
// control-plane server (body: {"type": "packages"|"ports", "items": [...]}).
// kAudit: an entry of the server's audit log, for the server's notification
// channels (body: the API's AuditEvent).
enum class RecordKind { kResult, kProblem, kStatus, kEvent, kTest, kFinding, kInventory, kAudit };
// "results", "problems", "status", "events", "test", "findings", "inventory", "audit".
std::string_view RecordKindName(RecordKind kind);
std::optional<RecordKind> ParseRecordKind(std::string_view name);

struct Record {
  RecordKind kind = RecordKind::kResult;
  std::string id;
  int64_t time_ms = 0;
  // Generic records (results, status, events, test): the Warden JSON body,
  // its syslog severity and an optional line for people.
  Json body = Json::object();
  int syslog_severity = 6;  // informational
  std::string summary;
  // Typed records: rendered by the sink.
  std::optional<ProblemEvent> problem;  // kind problems
  std::optional<Finding> finding;       // kind findings (and events that are findings)
};

// A problem event as a record: kind problems, id "<problem id>.<revision>".
Record ProblemEventRecord(const ProblemEvent& event);
// A finding as a record: kind findings, id the finding id.
Record FindingRecord(const Finding& finding);

}  // namespace warden
