// AgentRecord is one thing the agent reports: a scheduled-query result line,
// a problem event, a status heartbeat, an event from an event source, or a
// sink test. Producers fill the Warden JSON body (and, for problems, the OCSF
// rendering and a one-line summary for people); each sink picks the rendering
// it is configured for. The id is stable for the same fact (a problem's
// revision, a result line's query/epoch/counter/row), so a record re-sent
// after a crash carries the id it had the first time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agent/agent_config.h"
#include "core/finding.h"
#include "problems/problem.h"

namespace warden {

struct AgentRecord {
  RecordKind kind = RecordKind::kResult;
  std::string id;
  int64_t time_ms = 0;
  int syslog_severity = 6;  // informational
  Json body = Json::object();
  std::optional<Json> ocsf;  // problems only
  std::string summary;       // one line for people ("text" format)
};

// Routes records to the sinks that take their kind. Implemented by the agent;
// detectors, scheduled queries and event sources only see this.
class RecordRouter {
 public:
  virtual ~RecordRouter() = default;
  // Hands records to every sink that takes their kind: written (local sinks)
  // or appended to the durable queue (network sinks) when this returns OK.
  virtual Status Route(const std::vector<AgentRecord>& records) = 0;
};

// A problem event as the record sinks receive (kind `problems`, id
// "<problem id>.<revision>", the OCSF rendering and a one-line summary).
AgentRecord ProblemEventRecord(const ProblemEvent& event);

}  // namespace warden
