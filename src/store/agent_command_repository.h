// Commands queued for agents (run a detector now, dismiss or undismiss a
// problem, reload the config, a live query): per host, in the order they
// were queued. A command is pending until its agent reports a result; one
// that was delivered but not answered is delivered again after a while
// (the agent may have restarted), so delivery is at least once and agents
// ignore a command id they have already run. Reads are thread-safe; writes
// run inside a store transaction (see store.h).
// Not here: waking long-polls when a command is queued (server/command_hub.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct AgentCommandRow {
  int64_t id = 0;
  int64_t host_id = 0;
  std::string type;              // the spec's CommandType: run_detector, dismiss, ...
  std::string args_json = "{}";  // a JSON object
  EpochMs created_at = 0;
  std::string created_by;  // who queued it ("user:3", "system")
  std::optional<EpochMs> delivered_at;
  int64_t deliveries = 0;
  std::optional<EpochMs> finished_at;
  std::optional<std::string> result_status;  // succeeded, failed, rejected
  std::optional<std::string> result_error;
  std::optional<std::string> result_output_json;
};

struct NewAgentCommand {
  int64_t host_id = 0;
  std::string type;
  std::string args_json = "{}";
  std::string created_by;
  EpochMs created_at = 0;
};

struct AgentCommandOutcome {
  std::string status;  // succeeded, failed, rejected
  std::optional<std::string> error;
  std::optional<std::string> output_json;  // a JSON object
  EpochMs finished_at = 0;
};

enum class CommandResultUpdate {
  kRecorded,   // the first result
  kSameAgain,  // the same result was recorded before (a resend)
  kConflict,   // another result was recorded before
  kNotFound,   // no such command for that host
};

// Fields: id, created_at (sortable; default id, newest first); host_id, type
// (equality); finished (boolean: a result arrived).
const ListSchema& AgentCommandListSchema();

class AgentCommandRepository {
 public:
  virtual ~AgentCommandRepository() = default;
  virtual Result<std::optional<AgentCommandRow>> Get(int64_t id) = 0;
  // The host's commands to deliver at `now`, oldest first, at most `limit`:
  // never delivered, or delivered before `redeliver_before` without a result.
  virtual Result<std::vector<AgentCommandRow>> Pending(int64_t host_id, EpochMs redeliver_before,
                                                       int64_t limit) = 0;
  virtual Result<ListPage<AgentCommandRow>> List(const ListQuery& query) = 0;
};

class AgentCommandWriter {
 public:
  virtual ~AgentCommandWriter() = default;
  // InvalidArgument when the type is empty or args_json is not a JSON object.
  virtual Result<AgentCommandRow> Create(const NewAgentCommand& command) = 0;
  // Marks the commands delivered at `at` (counting deliveries).
  virtual Status MarkDelivered(const std::vector<int64_t>& ids, EpochMs at) = 0;
  // Records the result of command `id` of `host_id`.
  virtual Result<CommandResultUpdate> RecordResult(int64_t host_id, int64_t id,
                                                   const AgentCommandOutcome& outcome) = 0;
};

}  // namespace warden::store
