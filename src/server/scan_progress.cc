#include "server/scan_progress.h"

#include <limits>
#include <string>

#include "server/record_ingest.h"

namespace warden::server {
namespace {

// A non-negative integer member, or nullopt.
std::optional<int64_t> Count(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  if (it->is_number_unsigned() &&
      it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return std::nullopt;
  int64_t n = it->get<int64_t>();
  if (n < 0) return std::nullopt;
  return n;
}

// A string member cut to `max_bytes` (a run's result), or nullopt.
std::optional<std::string> Text(const Json& object, const char* key, size_t max_bytes) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  std::string s = it->get<std::string>();
  if (s.size() > max_bytes) s.resize(max_bytes);
  return s;
}

// A rule id: a non-empty string of at most 128 bytes (a longer one is not a
// rule id, and cutting it could make it another's), or nullopt.
std::optional<std::string> RuleId(const Json& object, const char* key) {
  constexpr size_t kMaxRuleIdBytes = 128;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  std::string s = it->get<std::string>();
  if (s.empty() || s.size() > kMaxRuleIdBytes) return std::nullopt;
  return s;
}

// a + b for non-negative a and b, at most int64's maximum.
int64_t SaturatingAdd(int64_t a, int64_t b) {
  return a > std::numeric_limits<int64_t>::max() - b ? std::numeric_limits<int64_t>::max() : a + b;
}

constexpr size_t kMaxResultBytes = 4096;

}  // namespace

Status MarkCommandsDelivered(store::StoreWriter& w, const std::vector<int64_t>& command_ids,
                             store::EpochMs at) {
  RETURN_IF_ERROR(w.commands().MarkDelivered(command_ids, at));
  for (int64_t id : command_ids) {
    RETURN_IF_ERROR(w.scans()
                        .MoveTargetOfCommand(id, store::ScanTargetState::kRunning, std::nullopt, at)
                        .status());
    RETURN_IF_ERROR(w.live_queries().MarkCommandDelivered(id, at).status());
  }
  return Status::Ok();
}

Result<store::CommandResultUpdate> RecordCommandResult(store::StoreWriter& w, int64_t host_id,
                                                       int64_t command_id,
                                                       const store::AgentCommandOutcome& outcome) {
  ASSIGN_OR_RETURN(store::CommandResultUpdate update,
                   w.commands().RecordResult(host_id, command_id, outcome));
  if (update != store::CommandResultUpdate::kRecorded) return update;
  const bool succeeded = outcome.status == "succeeded";
  {
    // A live query's answer: {"rows", "duration_ms"} (the spec's
    // AgentCommandResult); nothing changes when the command is not one.
    Json output =
        outcome.output_json ? Json::parse(*outcome.output_json, nullptr, false) : Json::object();
    if (!output.is_object()) output = Json::object();
    store::LiveQueryAnswer answer;
    answer.ok = succeeded;
    answer.returned_rows = Count(output, "rows").value_or(0);
    answer.duration_ms = Count(output, "duration_ms");
    if (!succeeded) {
      answer.error = outcome.error.value_or("the agent answered " + outcome.status);
      if (outcome.status == "rejected")
        *answer.error = "the agent does not run live queries: " + *answer.error;
      if (answer.error->size() > kMaxResultBytes) answer.error->resize(kMaxResultBytes);
    }
    answer.at = outcome.finished_at;
    ASSIGN_OR_RETURN(std::optional<int64_t> live_query,
                     w.live_queries().AnswerCommand(command_id, answer));
    if (live_query) return update;
  }
  std::optional<std::string> error = outcome.error;
  if (!succeeded && !error) error = "the agent answered " + outcome.status;
  ASSIGN_OR_RETURN(std::optional<int64_t> scan_id,
                   w.scans().MoveTargetOfCommand(command_id,
                                                 succeeded ? store::ScanTargetState::kSucceeded
                                                           : store::ScanTargetState::kFailed,
                                                 error, outcome.finished_at));
  if (!outcome.output_json) return update;
  Json output = Json::parse(*outcome.output_json, nullptr, false);
  for (store::DetectorRun& run : DetectorRunsFromRunOutput(host_id, output)) {
    run.trigger = "run_now";
    run.scan_id = scan_id;
    run.command_id = command_id;
    RETURN_IF_ERROR(w.detector_runs().Record(run));
  }
  return update;
}

std::vector<store::DetectorRun> DetectorRunsFromStatusJobs(const Json& jobs) {
  std::vector<store::DetectorRun> runs;
  if (!jobs.is_array()) return runs;
  for (const Json& job : jobs) {
    if (!job.is_object() || job.value("kind", Json()) != "detector") continue;
    std::optional<std::string> rule = RuleId(job, "name");
    if (!rule) continue;
    const bool running = job.value("running", Json()) == true;
    // The last run that ended.
    std::optional<int64_t> last = Count(job, "last_run_ms");
    std::optional<std::string> outcome =
        RunOutcomeFromAgent(Text(job, "outcome", 256).value_or(""));
    if (last && *last > 0 && outcome && *outcome != "running") {
      store::DetectorRun run;
      run.rule_id = *rule;
      run.started_at = *last;
      run.duration_ms = Count(job, "duration_ms").value_or(0);
      run.finished_at = SaturatingAdd(run.started_at, *run.duration_ms);
      run.outcome = *outcome;
      run.result = Text(job, "result", kMaxResultBytes);
      // While the job runs again, its next run is not known yet.
      std::optional<int64_t> next = Count(job, "next_run_ms");
      if (!running && next && *next > 0) run.next_run_at = next;
      runs.push_back(std::move(run));
    }
    // The run going on now.
    std::optional<int64_t> since = Count(job, "running_since_ms");
    if (running && since && *since > 0 && (!last || *since > *last)) {
      store::DetectorRun run;
      run.rule_id = *rule;
      run.started_at = *since;
      run.outcome = "running";
      runs.push_back(std::move(run));
    }
  }
  return runs;
}

std::vector<store::DetectorRun> DetectorRunsFromRunOutput(int64_t host_id, const Json& output) {
  std::vector<store::DetectorRun> runs;
  if (!output.is_object()) return runs;
  auto list = output.find("runs");
  if (list == output.end() || !list->is_array()) return runs;
  for (const Json& item : *list) {
    if (!item.is_object()) continue;
    std::optional<std::string> rule = RuleId(item, "rule_id");
    std::optional<int64_t> started = Count(item, "started_at_ms");
    std::optional<std::string> outcome =
        RunOutcomeFromAgent(Text(item, "outcome", 256).value_or(""));
    if (!rule || !started || *started <= 0 || !outcome) continue;
    store::DetectorRun run;
    run.host_id = host_id;
    run.rule_id = *rule;
    run.started_at = *started;
    run.outcome = *outcome;
    if (run.outcome != "running") {
      run.duration_ms = Count(item, "duration_ms").value_or(0);
      run.finished_at = SaturatingAdd(run.started_at, *run.duration_ms);
    }
    run.result = Text(item, "result", kMaxResultBytes);
    std::optional<int64_t> next = Count(item, "next_run_ms");
    if (next && *next > 0) run.next_run_at = next;
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace warden::server
