// Runs one scheduled query (queries: in the config) and turns its rows into
// result-log records (result_log.h): a snapshot line, or, in differential
// mode, one "added"/"removed" line per row that changed since the previous
// run (the previous rows are kept in the state store; the first run of an
// epoch reports every row as added, counter 0).
// Budgets: the query is stopped when it runs past its time budget, or when
// the agent's resident memory grows by more than its memory budget while it
// runs (a watchdog thread samples RSS every 20 ms and interrupts the engine),
// or when the rows it returned exceed that budget. A stopped query produces
// no records at all, never partial results (a partial differential would
// report rows as removed that are not).
// Crash safety: the caller routes the records first, then calls Commit() to
// save the new differential state; a crash in between replays the same
// lines with the same ids on the next run (at-least-once).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agent/agent_config.h"
#include "agent/agent_state.h"
#include "agent/result_log.h"
#include "delivery/record_router.h"
#include "sql/sql_engine.h"

namespace warden {

struct QueryRunStats {
  int64_t rows = 0;
  int64_t output_bytes = 0;
  int64_t wall_ms = 0;
  int64_t user_ms = 0;
  int64_t system_ms = 0;
  int64_t rss_bytes = 0;  // after the run
  int64_t added = 0;
  int64_t removed = 0;
};

struct QueryRun {
  std::vector<Record> records;
  DifferentialState next_state;  // saved by Commit
  QueryRunStats stats;
  std::string summary;  // "12 rows, 2 added, 1 removed"
};

// Result-log settings shared by every query: host identifier, typed values, decorations.
struct ResultLogSettings {
  std::string host_identifier;
  bool numerics = true;
  Json decorations = Json::object();
};

// Runs the query; a budget overrun is a kTimeout Status naming the budget.
// `stop` (may be null) interrupts the query when the agent shuts down.
Result<QueryRun> RunScheduledQuery(SqlEngine& engine, AgentStateStore& state,
                                   const QueryConfig& query, const ResultLogSettings& settings,
                                   int64_t now_ms, const std::atomic<bool>* stop);
// Saves the run's differential state (after its records were routed).
Status CommitQueryRun(AgentStateStore& state, const QueryRun& run);

// One run of SQL under a scheduled query's budgets, kept whole (a live
// query from the server): the columns (a repeated name gets _2, _3, ...)
// and each row's values in column order as JSON (strings, numbers, null).
struct BudgetedQueryResult {
  std::vector<std::string> columns;
  std::vector<Json> rows;  // each a JSON array
  int64_t wall_ms = 0;
};
// Runs `sql` once: stopped past `timeout_ms`, or when the agent's RSS grows
// by more than `max_memory_bytes` or the rows held exceed it (kTimeout
// naming the budget). A SQL error is the engine's Status.
Result<BudgetedQueryResult> RunBudgetedQuery(SqlEngine& engine, const std::string& sql,
                                             int64_t timeout_ms, int64_t max_memory_bytes,
                                             const std::atomic<bool>* stop);

// The agent's resident set size in bytes (/proc/self/statm), 0 if unknown.
int64_t CurrentRssBytes();

}  // namespace warden
