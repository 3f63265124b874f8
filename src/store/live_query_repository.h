// Live queries (campaigns): SQL sent to some hosts now, with one target per
// host, and the rows the hosts returned, kept as history.
//
// A campaign is created with one target per host it asks: pending with the
// live_query command that asks it, or offline (no command) for a host that
// was offline and not waited for. A target moves pending -> running when its
// agent takes the command, then to done (with the rows it returned and how
// long it took) or error (with the host's message) when its result arrives;
// offline when the campaign's deadline passes before its host took the
// command, error when it passes while the host runs it; cancelled when the
// campaign is cancelled first. A target only moves forward. The campaign
// keeps per-state counts with every move and its state follows from them:
// running while a target is pending or running, then done (or cancelled).
//
// Rows arrive in chunks numbered from 0 per target (a chunk seen before is
// a duplicate and changes nothing). The campaign stores at most max_rows
// rows and max_bytes bytes of row JSON; the first chunk that does not fit
// is cut there and the campaign records truncated_at (the rows it holds),
// so a cut is always visible. Rows of campaigns older than the retention
// are pruned; the campaign itself stays in the history.
//
// Reads are thread-safe; writes run inside a store transaction (store.h).
// Not here: choosing hosts, queuing commands (agent_command_repository.h),
// HTTP, or what the agent runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/fleet_problem_repository.h"  // ProblemActor
#include "store/list_query.h"

namespace warden::store {

enum class LiveQueryTargetState { kPending, kRunning, kDone, kError, kOffline, kCancelled };
std::string_view LiveQueryTargetStateName(LiveQueryTargetState state);  // "pending", ...
std::optional<LiveQueryTargetState> ParseLiveQueryTargetState(std::string_view name);
// Done, error, offline or cancelled: the target will not move again.
bool IsFinalTargetState(LiveQueryTargetState state);

struct LiveQueryCounts {
  int64_t targeted = 0;
  int64_t pending = 0;
  int64_t running = 0;
  int64_t done = 0;
  int64_t error = 0;
  int64_t offline = 0;
  int64_t cancelled = 0;
};

// What a campaign asked for: hosts by id and hosts with any of the labels,
// or every host; then only the hosts whose os-release ID is one of os_ids
// (when given).
struct LiveQueryTargetSpec {
  std::vector<int64_t> host_ids;
  std::vector<std::string> labels;
  bool all = false;
  std::vector<std::string> os_ids;
};

struct LiveQuery {
  int64_t id = 0;
  EpochMs created_at = 0;
  ProblemActor created_by;
  std::string sql;
  LiveQueryTargetSpec targets;
  std::optional<int64_t> rerun_of;
  EpochMs deadline_at = 0;                     // targets still pending or running then are given up
  std::optional<EpochMs> offline_deadline_at;  // offline hosts were waited for until then
  std::string state;                           // running, done, cancelled
  LiveQueryCounts counts;
  int64_t stored_rows = 0;
  int64_t stored_bytes = 0;
  int64_t max_rows = 0;
  int64_t max_bytes = 0;
  std::optional<int64_t> truncated_at;  // rows stored when the bound cut the results
  std::vector<std::string> columns;     // every column a host returned, first seen first
  std::optional<EpochMs> finished_at;
  std::optional<EpochMs> results_pruned_at;
  int64_t changes = 0;  // target changes so far (see LiveQueryTarget::change_seq)
  EpochMs updated_at = 0;
  std::optional<int64_t> saved_query_id;  // the saved query it ran, if any
};

struct NewLiveQuery {
  EpochMs created_at = 0;
  ProblemActor created_by;
  std::string sql;
  LiveQueryTargetSpec targets;
  std::optional<int64_t> rerun_of;
  EpochMs deadline_at = 0;
  std::optional<EpochMs> offline_deadline_at;
  int64_t max_rows = 0;   // > 0
  int64_t max_bytes = 0;  // > 0
  std::optional<int64_t> saved_query_id;
};

struct LiveQueryTarget {
  int64_t id = 0;
  int64_t query_id = 0;
  int64_t host_id = 0;
  std::string hostname;  // when the campaign was created
  std::optional<int64_t> command_id;
  LiveQueryTargetState state = LiveQueryTargetState::kPending;
  int64_t returned_rows = 0;  // what the host said it returned
  int64_t stored_rows = 0;    // what the campaign kept of them
  std::optional<int64_t> duration_ms;
  std::optional<std::string> error;
  std::vector<std::string> columns;
  int64_t chunks = 0;  // chunks received
  std::optional<EpochMs> started_at;
  std::optional<EpochMs> finished_at;
  int64_t change_seq = 0;  // the campaign's `changes` at this target's last change
  EpochMs updated_at = 0;
};

struct LiveQueryRow {
  int64_t id = 0;
  int64_t query_id = 0;
  int64_t host_id = 0;
  std::string row_json;  // a JSON object
};

// One chunk of a host's rows: `rows` are JSON objects (column -> value).
struct LiveQueryChunk {
  int64_t seq = 0;
  std::vector<std::string> columns;
  std::vector<std::string> rows;
};

enum class ChunkUpdate {
  kStored,      // stored (maybe cut by the bound: see stored)
  kDuplicate,   // this chunk arrived before
  kOutOfOrder,  // an earlier chunk is missing
  kClosed,      // the target has ended (cancelled, given up, answered)
  kNotFound,    // no live query target for that command and host
};

struct ChunkOutcome {
  ChunkUpdate update = ChunkUpdate::kNotFound;
  int64_t query_id = 0;
  int64_t stored = 0;      // rows of the chunk stored
  bool truncated = false;  // the campaign's bound is reached
};

// How a host answered its live_query command.
struct LiveQueryAnswer {
  bool ok = true;
  int64_t returned_rows = 0;
  std::optional<int64_t> duration_ms;
  std::optional<std::string> error;
  EpochMs at = 0;
};

// A target that moved without its agent: the command to withdraw.
struct WithdrawnCommand {
  int64_t query_id = 0;
  int64_t host_id = 0;
  int64_t command_id = 0;
};

// Campaigns. Fields: id, created_at (sortable, time ranges; default
// created_at, newest first); state (text, equality); host_id (equality:
// campaigns that targeted the host); created_by (text, equality: "user:3",
// "token:5"); saved_query_id (equality: campaigns run from that saved
// query).
const ListSchema& LiveQueryListSchema();
// A campaign's targets. Fields: id, host_id, returned_rows, duration_ms
// (sortable; default host_id); query_id (equality, required in practice);
// state (text, equality).
const ListSchema& LiveQueryTargetListSchema();
// A campaign's rows. Fields: id (sortable, default: arrival order),
// host_id (sortable, equality); query_id (equality).
const ListSchema& LiveQueryRowListSchema();

class LiveQueryRepository {
 public:
  virtual ~LiveQueryRepository() = default;
  virtual Result<std::optional<LiveQuery>> Get(int64_t id) = 0;
  virtual Result<ListPage<LiveQuery>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<LiveQuery>& row) = 0;
  virtual Result<std::optional<LiveQueryTarget>> Target(int64_t query_id, int64_t host_id) = 0;
  virtual Result<std::optional<LiveQueryTarget>> TargetOfCommand(int64_t command_id) = 0;
  virtual Result<ListPage<LiveQueryTarget>> ListTargets(const ListQuery& query) = 0;
  virtual Status ExportTargets(const ListQuery& query, const RowCallback<LiveQueryTarget>& row) = 0;
  // Every target of the campaign whose last change came after the
  // campaign's `changes` was `after`, by id.
  virtual Result<std::vector<LiveQueryTarget>> TargetsChangedAfter(int64_t query_id,
                                                                   int64_t after) = 0;
  virtual Result<ListPage<LiveQueryRow>> ListRows(const ListQuery& query) = 0;
  virtual Status ExportRows(const ListQuery& query, const RowCallback<LiveQueryRow>& row) = 0;
  // At most `limit` rows of the campaign with an id above `after_id`, by id.
  virtual Result<std::vector<LiveQueryRow>> RowsAfter(int64_t query_id, int64_t after_id,
                                                      int64_t limit) = 0;
  // The row JSON of one host's rows, in arrival order.
  virtual Status HostRows(int64_t query_id, int64_t host_id,
                          const std::function<Status(const std::string& row_json)>& row) = 0;
};

class LiveQueryWriter {
 public:
  virtual ~LiveQueryWriter() = default;
  // A new campaign without targets (state running). InvalidArgument for an
  // empty SQL or a bound that is not positive.
  virtual Result<LiveQuery> Create(const NewLiveQuery& query) = 0;
  // Adds a target in `state` (pending with its command, or offline without
  // one). InvalidArgument when the campaign targets the host already.
  virtual Status AddTarget(int64_t query_id, int64_t host_id, const std::string& hostname,
                           std::optional<int64_t> command_id, LiveQueryTargetState state,
                           EpochMs at) = 0;
  // The command was delivered: its pending target moves to running. The
  // campaign's id when the command is a live query's and its target moved.
  virtual Result<std::optional<int64_t>> MarkCommandDelivered(int64_t command_id, EpochMs at) = 0;
  // Stores a chunk of the rows of host `host_id` for command `command_id`.
  virtual Result<ChunkOutcome> AppendChunk(int64_t host_id, int64_t command_id,
                                           const LiveQueryChunk& chunk, EpochMs at) = 0;
  // The host answered: its target moves to done or error. The campaign's id
  // when the command is a live query's and its target moved.
  virtual Result<std::optional<int64_t>> AnswerCommand(int64_t command_id,
                                                       const LiveQueryAnswer& answer) = 0;
  // Cancels a running campaign: pending and running targets move to
  // cancelled, the campaign to cancelled. The commands to withdraw;
  // nullopt (and no change) when the campaign is not running.
  virtual Result<std::optional<std::vector<WithdrawnCommand>>> Cancel(int64_t query_id,
                                                                      EpochMs at) = 0;
  // Gives up the targets of running campaigns whose deadline is at or
  // before `now`: pending -> offline, running -> error. The commands to
  // withdraw.
  virtual Result<std::vector<WithdrawnCommand>> ExpireTargets(EpochMs now) = 0;
  // Deletes the rows of campaigns created before `before` (marking them
  // pruned at `now`). How many rows.
  virtual Result<int64_t> PruneResults(EpochMs before, EpochMs now) = 0;
};

}  // namespace warden::store
