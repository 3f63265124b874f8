// Scans with their targets, detector runs, and labels in use.
#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// ---- scans

constexpr std::string_view kScanColumns =
    "id, requested_at, requested_by_type, requested_by_id, requested_by_name, scope, "
    "host_ids_json, labels_json, rule_ids_json, state, targeted, pending, running, succeeded, "
    "failed, updated_at";

std::vector<int64_t> IdsFromJson(std::string_view json) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, false);
  std::vector<int64_t> out;
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed)
    if (item.is_number_integer()) out.push_back(item.get<int64_t>());
  return out;
}

Scan ReadScan(SqliteStatement& st) {
  Scan s;
  s.id = st.Int(0);
  s.requested_at = st.Int(1);
  s.requested_by.type = st.Text(2);
  s.requested_by.id = st.Text(3);
  s.requested_by.name = st.Text(4);
  s.scope = st.Text(5);
  s.host_ids = IdsFromJson(st.Text(6));
  s.labels = LabelsFromJson(st.Text(7));
  s.rule_ids = LabelsFromJson(st.Text(8));
  s.state = st.Text(9);
  s.counts.targeted = st.Int(10);
  s.counts.pending = st.Int(11);
  s.counts.running = st.Int(12);
  s.counts.succeeded = st.Int(13);
  s.counts.failed = st.Int(14);
  s.updated_at = st.Int(15);
  return s;
}

Result<std::optional<Scan>> LoadScan(SqliteConnection& conn, int64_t id) {
  return QueryOne<Scan>(
      conn, "SELECT " + std::string(kScanColumns) + " FROM scans WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadScan);
}

std::optional<ScanTargetState> ParseTargetState(std::string_view name) {
  for (ScanTargetState s : {ScanTargetState::kPending, ScanTargetState::kRunning,
                            ScanTargetState::kSucceeded, ScanTargetState::kFailed}) {
    if (ScanTargetStateName(s) == name) return s;
  }
  return std::nullopt;
}

ScanTarget ReadTarget(SqliteStatement& st) {
  ScanTarget t;
  t.scan_id = st.Int(0);
  t.host_id = st.Int(1);
  t.command_id = st.Int(2);
  t.state = ParseTargetState(st.Text(3)).value_or(ScanTargetState::kPending);
  t.error = OptionalText(st, 4);
  t.updated_at = st.Int(5);
  return t;
}

// A target moves forward only: pending -> running -> succeeded | failed,
// or pending straight to an answer.
bool MayMove(ScanTargetState from, ScanTargetState to) {
  switch (from) {
    case ScanTargetState::kPending:
      return to != ScanTargetState::kPending;
    case ScanTargetState::kRunning:
      return to == ScanTargetState::kSucceeded || to == ScanTargetState::kFailed;
    case ScanTargetState::kSucceeded:
    case ScanTargetState::kFailed:
      return false;
  }
  return false;
}

// The scan's state from its counts (run after every count change).
constexpr std::string_view kRestateScan =
    "UPDATE scans SET state = CASE WHEN pending + running = 0 THEN 'done' "
    "WHEN running + succeeded + failed > 0 THEN 'running' ELSE 'pending' END WHERE id = ?1";

Status RestateScan(SqliteConnection& conn, int64_t scan_id) {
  ASSIGN_OR_RETURN(ScopedStatement st, conn.Statement(kRestateScan));
  st->Bind(1, scan_id);
  return st->Run();
}

// ---- detector runs

constexpr std::string_view kRunColumns =
    "id, host_id, rule_id, started_at, finished_at, duration_ms, outcome, result, next_run_at, "
    "run_trigger, scan_id, command_id";

DetectorRun ReadRun(SqliteStatement& st) {
  DetectorRun r;
  r.id = st.Int(0);
  r.host_id = st.Int(1);
  r.rule_id = st.Text(2);
  r.started_at = st.Int(3);
  r.finished_at = OptionalInt(st, 4);
  if (r.finished_at) r.duration_ms = st.Int(5);
  r.outcome = st.Text(6);
  r.result = OptionalText(st, 7);
  r.next_run_at = OptionalInt(st, 8);
  r.trigger = st.Text(9);
  r.scan_id = OptionalInt(st, 10);
  r.command_id = OptionalInt(st, 11);
  return r;
}

bool IsRunOutcome(std::string_view s) {
  return s == "succeeded" || s == "failed" || s == "timed_out" || s == "skipped" || s == "running";
}

bool IsRunTrigger(std::string_view s) { return s == "schedule" || s == "start" || s == "run_now"; }

// What a run reported again adds to what was stored (see Record's contract).
DetectorRun MergeRuns(const DetectorRun& stored, const DetectorRun& reported) {
  DetectorRun out = stored;
  if (reported.outcome != "running" || stored.outcome == "running") {
    out.outcome = reported.outcome;
    out.finished_at = reported.finished_at;
    out.duration_ms = reported.duration_ms;
    if (reported.result) out.result = reported.result;
  }
  if (reported.next_run_at) out.next_run_at = reported.next_run_at;
  if (reported.trigger == "run_now") out.trigger = "run_now";
  if (!out.scan_id) out.scan_id = reported.scan_id;
  if (!out.command_id) out.command_id = reported.command_id;
  return out;
}

void BindRunValues(SqliteStatement& st, const DetectorRun& r) {
  // ?1 host_id .. ?11 command_id, in kRunColumns' order after the id.
  st.Bind(1, r.host_id).Bind(2, r.rule_id).Bind(3, r.started_at);
  BindOptional(st, 4, r.finished_at);
  st.Bind(5, r.finished_at ? r.duration_ms.value_or(0) : int64_t{0});
  st.Bind(6, r.outcome);
  BindOptionalText(st, 7, r.result);
  BindOptional(st, 8, r.next_run_at);
  st.Bind(9, r.trigger);
  BindOptional(st, 10, r.scan_id);
  BindOptional(st, 11, r.command_id);
}

// ---- labels

LabelCount ReadLabel(SqliteStatement& st) {
  LabelCount l;
  l.id = st.Int(0);
  l.name = st.Text(1);
  l.host_count = st.Int(2);
  return l;
}

}  // namespace

const ListTable& ScanListTable() {
  static const ListTable table{
      &ScanListSchema(),
      "scans",
      kScanColumns,
      16,
      "id",
      {
          {"id", "id"},
          {"requested_at", "requested_at"},
          {"state", "state"},
          {"host_id", "id IN (SELECT scan_id FROM scan_targets WHERE host_id = ?)",
           ListColumn::Kind::kMembership},
      },
  };
  return table;
}

const ListTable& DetectorRunListTable() {
  static const ListTable table{
      &DetectorRunListSchema(),
      "detector_runs",
      kRunColumns,
      12,
      "id",
      {
          {"id", "id"},
          {"started_at", "started_at"},
          {"rule_id", "rule_id"},
          {"duration_ms", "duration_ms"},
          {"host_id", "host_id"},
          {"outcome", "outcome"},
      },
  };
  return table;
}

const ListTable& LabelListTable() {
  // Contains, case-insensitively, with LIKE's wildcards in the value taken
  // literally.
  static const ListTable table{
      &LabelListSchema(),
      "labels",
      "id, name, host_count",
      3,
      "id",
      {
          {"id", "id"},
          {"name", "name"},
          {"host_count", "host_count"},
          {"name_contains",
           R"(LOWER(name) LIKE '%' || REPLACE(REPLACE(REPLACE(LOWER(?), '\', '\\'), '%', '\%'), )"
           R"('_', '\_') || '%' ESCAPE '\')",
           ListColumn::Kind::kMembership},
      },
  };
  return table;
}

// ---- scans, read side

Result<std::optional<Scan>> SqliteScanRepository::Get(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadScan(lease.conn(), id);
}

Result<ListPage<Scan>> SqliteScanRepository::List(const ListQuery& query) {
  return ListFromPool<Scan>(pool_, ScanListTable(), query, ReadScan);
}

Status SqliteScanRepository::Export(const ListQuery& query, const RowCallback<Scan>& row) {
  return ExportFromPool<Scan>(pool_, ScanListTable(), query, ReadScan, row);
}

Result<std::vector<ScanTarget>> SqliteScanRepository::Targets(int64_t scan_id) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement("SELECT scan_id, host_id, command_id, state, error, "
                                          "updated_at FROM scan_targets WHERE scan_id = ?1 "
                                          "ORDER BY host_id"));
  st->Bind(1, scan_id);
  std::vector<ScanTarget> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadTarget(*st));
  }
  return out;
}

Result<int64_t> SqliteScanRepository::CountPendingOnHostsSeenBefore(int64_t scan_id,
                                                                    EpochMs seen_before) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      lease.conn().Statement("SELECT COUNT(*) FROM scan_targets t JOIN hosts h ON h.id = "
                             "t.host_id WHERE t.scan_id = ?1 AND t.state = 'pending' AND "
                             "h.last_seen_at < ?2"));
  st->Bind(1, scan_id).Bind(2, seen_before);
  ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? st->Int(0) : int64_t{0};
}

// ---- scans, write side

Result<Scan> SqliteScanWriter::Create(const NewScan& scan) {
  if (scan.scope != "hosts" && scan.scope != "labels" && scan.scope != "all")
    return InvalidArgument("scan: scope must be hosts, labels or all, not '" +
                           scan.scope.substr(0, 32) + "'");
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn_.Statement("INSERT INTO scans (requested_at, requested_by_type, requested_by_id, "
                      "requested_by_name, scope, host_ids_json, labels_json, rule_ids_json, "
                      "state, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?1) "
                      "RETURNING id"));
  st->Bind(1, scan.requested_at)
      .Bind(2, scan.requested_by.type)
      .Bind(3, scan.requested_by.id)
      .Bind(4, scan.requested_by.name)
      .Bind(5, scan.scope)
      .Bind(6, Dump(nlohmann::json(scan.host_ids)))
      .Bind(7, LabelsToJson(scan.labels))
      .Bind(8, LabelsToJson(scan.rule_ids));
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Internal("scans: INSERT returned no id");
  Scan out;
  out.id = st->Int(0);
  ASSIGN_OR_RETURN(bool more, st->Step());
  (void)more;
  out.requested_at = scan.requested_at;
  out.requested_by = scan.requested_by;
  out.scope = scan.scope;
  out.host_ids = scan.host_ids;
  out.labels = scan.labels;
  out.rule_ids = scan.rule_ids;
  out.state = "pending";
  out.updated_at = scan.requested_at;
  return out;
}

Status SqliteScanWriter::AddTarget(int64_t scan_id, int64_t host_id, int64_t command_id,
                                   EpochMs at) {
  ASSIGN_OR_RETURN(
      int64_t added,
      RunCountingChanges(conn_,
                         "INSERT INTO scan_targets (scan_id, host_id, command_id, "
                         "state, updated_at) VALUES (?1, ?2, ?3, 'pending', ?4) ON "
                         "CONFLICT (scan_id, host_id) DO NOTHING",
                         [&](SqliteStatement& st) {
                           st.Bind(1, scan_id).Bind(2, host_id).Bind(3, command_id).Bind(4, at);
                         }));
  if (added == 0)
    return InvalidArgument("scan " + std::to_string(scan_id) + ": host " + std::to_string(host_id) +
                           " is targeted already");
  ASSIGN_OR_RETURN(
      int64_t counted,
      RunCountingChanges(conn_,
                         "UPDATE scans SET targeted = targeted + 1, pending = "
                         "pending + 1, updated_at = ?2 WHERE id = ?1",
                         [&](SqliteStatement& st) { st.Bind(1, scan_id).Bind(2, at); }));
  if (counted == 0) return InvalidArgument("scan " + std::to_string(scan_id) + ": no such scan");
  return RestateScan(conn_, scan_id);
}

Result<std::optional<int64_t>> SqliteScanWriter::MoveTargetOfCommand(
    int64_t command_id, ScanTargetState state, std::optional<std::string> error, EpochMs at) {
  std::optional<ScanTarget> target;
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("SELECT scan_id, host_id, command_id, state, error, "
                                     "updated_at FROM scan_targets WHERE command_id = ?1"));
    st->Bind(1, command_id);
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) target = ReadTarget(*st);
  }
  if (!target || !MayMove(target->state, state)) return std::optional<int64_t>();
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("UPDATE scan_targets SET state = ?2, error = ?3, "
                                     "updated_at = ?4 WHERE command_id = ?1"));
    st->Bind(1, command_id).Bind(2, ScanTargetStateName(state));
    BindOptionalText(*st, 3, error);
    st->Bind(4, at);
    RETURN_IF_ERROR(st->Run());
  }
  // The column names are the state names (fixed strings, never input).
  const std::string from(ScanTargetStateName(target->state));
  const std::string to(ScanTargetStateName(state));
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("UPDATE scans SET " + from + " = " + from + " - 1, " + to +
                                     " = " + to + " + 1, updated_at = ?2 WHERE id = ?1"));
    st->Bind(1, target->scan_id).Bind(2, at);
    RETURN_IF_ERROR(st->Run());
  }
  RETURN_IF_ERROR(RestateScan(conn_, target->scan_id));
  return std::optional<int64_t>(target->scan_id);
}

Result<int64_t> SqliteScanWriter::FailTargetsOfHost(int64_t host_id, const std::string& error,
                                                    EpochMs at) {
  std::vector<int64_t> commands;
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("SELECT command_id FROM scan_targets WHERE host_id = ?1 AND "
                                     "state IN ('pending', 'running') ORDER BY command_id"));
    st->Bind(1, host_id);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      commands.push_back(st->Int(0));
    }
  }
  int64_t failed = 0;
  for (int64_t command : commands) {
    ASSIGN_OR_RETURN(std::optional<int64_t> moved,
                     MoveTargetOfCommand(command, ScanTargetState::kFailed, error, at));
    if (moved) ++failed;
  }
  return failed;
}

// ---- detector runs

Result<ListPage<DetectorRun>> SqliteDetectorRunRepository::List(const ListQuery& query) {
  return ListFromPool<DetectorRun>(pool_, DetectorRunListTable(), query, ReadRun);
}

Status SqliteDetectorRunRepository::Export(const ListQuery& query,
                                           const RowCallback<DetectorRun>& row) {
  return ExportFromPool<DetectorRun>(pool_, DetectorRunListTable(), query, ReadRun, row);
}

Status SqliteDetectorRunWriter::Record(const DetectorRun& run) {
  if (run.host_id <= 0 || run.rule_id.empty() || run.started_at <= 0)
    return InvalidArgument("detector run: host, rule and start are required");
  if (!IsRunOutcome(run.outcome))
    return InvalidArgument("detector run " + run.rule_id + ": outcome '" +
                           run.outcome.substr(0, 32) + "' is not a run outcome");
  if (!IsRunTrigger(run.trigger))
    return InvalidArgument("detector run " + run.rule_id + ": trigger '" +
                           run.trigger.substr(0, 32) + "' is not a run trigger");
  DetectorRun reported = run;
  if (reported.outcome == "running") {
    reported.finished_at.reset();
    reported.duration_ms.reset();
  } else if (!reported.finished_at) {
    const int64_t duration = std::max<int64_t>(0, reported.duration_ms.value_or(0));
    reported.finished_at = reported.started_at > std::numeric_limits<int64_t>::max() - duration
                               ? std::numeric_limits<int64_t>::max()
                               : reported.started_at + duration;
  }

  std::optional<DetectorRun> stored;
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("SELECT " + std::string(kRunColumns) +
                                     " FROM detector_runs WHERE host_id = ?1 AND rule_id = ?2 "
                                     "AND started_at = ?3"));
    st->Bind(1, reported.host_id).Bind(2, reported.rule_id).Bind(3, reported.started_at);
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) stored = ReadRun(*st);
  }
  if (!stored) {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("INSERT INTO detector_runs (host_id, rule_id, started_at, "
                                     "finished_at, duration_ms, outcome, result, next_run_at, "
                                     "run_trigger, scan_id, command_id) VALUES (?1, ?2, ?3, ?4, "
                                     "?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
    BindRunValues(*st, reported);
    RETURN_IF_ERROR(st->Run());
  } else {
    const DetectorRun merged = MergeRuns(*stored, reported);
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("UPDATE detector_runs SET finished_at = ?4, duration_ms = ?5, "
                                     "outcome = ?6, result = ?7, next_run_at = ?8, run_trigger = "
                                     "?9, scan_id = ?10, command_id = ?11 WHERE id = ?12"));
    BindRunValues(*st, merged);
    st->Bind(12, stored->id);
    RETURN_IF_ERROR(st->Run());
  }

  // Earlier runs still marked running ended without a report.
  {
    ASSIGN_OR_RETURN(
        ScopedStatement st,
        conn_.Statement("UPDATE detector_runs SET outcome = 'failed', result = ?4 WHERE host_id "
                        "= ?1 AND rule_id = ?2 AND outcome = 'running' AND started_at < ?3"));
    st->Bind(1, reported.host_id)
        .Bind(2, reported.rule_id)
        .Bind(3, reported.started_at)
        .Bind(4, "the agent did not report how this run ended (it stopped while it ran?)");
    RETURN_IF_ERROR(st->Run());
  }

  if (reported.outcome == "running") return Status::Ok();
  // The host's detector state follows its newest finished run.
  const int64_t failure = reported.outcome == "failed" || reported.outcome == "timed_out" ? 1 : 0;
  auto bind_state = [&](SqliteStatement& st) {
    st.Bind(1, reported.host_id).Bind(2, reported.rule_id).Bind(3, reported.started_at);
    st.Bind(4, reported.duration_ms.value_or(0)).Bind(5, reported.outcome);
    BindOptionalText(st, 6, reported.result);
    BindOptional(st, 7, reported.next_run_at);
    st.Bind(8, failure).Bind(9, *reported.finished_at);
  };
  ASSIGN_OR_RETURN(int64_t inserted,
                   RunCountingChanges(conn_,
                                      "INSERT INTO host_detectors (host_id, rule_id, enabled, "
                                      "last_run_at, duration_ms, outcome, result, next_run_at, "
                                      "running, runs, failures, updated_at) VALUES (?1, ?2, 1, "
                                      "?3, ?4, ?5, ?6, ?7, 0, 1, ?8, ?9) ON CONFLICT (host_id, "
                                      "rule_id) DO NOTHING",
                                      bind_state));
  if (inserted > 0) return Status::Ok();
  return RunCountingChanges(conn_,
                            "UPDATE host_detectors SET last_run_at = ?3, duration_ms = ?4, "
                            "outcome = ?5, result = ?6, next_run_at = COALESCE(?7, next_run_at), "
                            "running = 0, runs = runs + 1, failures = failures + ?8, updated_at "
                            "= ?9 WHERE host_id = ?1 AND rule_id = ?2 AND (last_run_at IS NULL "
                            "OR last_run_at < ?3)",
                            bind_state)
      .status();
}

// ---- labels

Result<ListPage<LabelCount>> SqliteLabelRepository::List(const ListQuery& query) {
  return ListFromPool<LabelCount>(pool_, LabelListTable(), query, ReadLabel);
}

Status SqliteLabelRepository::Export(const ListQuery& query, const RowCallback<LabelCount>& row) {
  return ExportFromPool<LabelCount>(pool_, LabelListTable(), query, ReadLabel, row);
}

Result<int64_t> SqliteDetectorRunWriter::PruneBefore(EpochMs before) {
  return RunCountingChanges(conn_, "DELETE FROM detector_runs WHERE started_at < ?1",
                            [&](SqliteStatement& st) { st.Bind(1, before); });
}

}  // namespace warden::store
