#include "server/record_ingest.h"

#include <limits>

#include "core/risk_level.h"
#include "core/time_format.h"
#include "problems/problem.h"
#include "server/scan_progress.h"
#include "server/suppression_matching.h"

namespace warden::server {
namespace {

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Reads members of one JSON object; the first problem is kept in `error`
// (with the member's JSON pointer) and every later read returns a default,
// so a converter reads on and the caller checks `failed()` once.
class Members {
 public:
  Members(const Json& object, std::string pointer, std::optional<RecordBatchError>& error)
      : object_(object), pointer_(std::move(pointer)), error_(error) {
    if (!object_.is_object()) Fail("", "must be an object");
  }

  bool failed() const { return error_.has_value(); }
  const std::string& pointer() const { return pointer_; }

  void Fail(std::string_view key, std::string message) {
    if (error_) return;
    error_ = RecordBatchError{key.empty() ? pointer_ : pointer_ + "/" + std::string(key),
                              std::move(message)};
  }

  const Json* Find(std::string_view key) const {
    if (!object_.is_object()) return nullptr;
    auto it = object_.find(std::string(key));
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  std::optional<std::string> OptionalString(std::string_view key, size_t max_bytes = 65536) {
    const Json* v = Find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) {
      Fail(key, "must be a string");
      return std::nullopt;
    }
    std::string s = v->get<std::string>();
    if (s.size() > max_bytes) {
      Fail(key, "longer than " + std::to_string(max_bytes) + " bytes");
      return std::nullopt;
    }
    return s;
  }

  std::string String(std::string_view key, size_t max_bytes = 65536) {
    if (Find(key) == nullptr) {
      Fail(key, "is required");
      return "";
    }
    std::optional<std::string> s = OptionalString(key, max_bytes);
    if (s && s->empty()) Fail(key, "must not be empty");
    return s.value_or("");
  }

  std::optional<int64_t> OptionalInt(std::string_view key, int64_t min = 0,
                                     int64_t max = std::numeric_limits<int64_t>::max()) {
    const Json* v = Find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer()) {
      Fail(key, "must be an integer");
      return std::nullopt;
    }
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(max)) {
      Fail(key, "must be at most " + std::to_string(max));
      return std::nullopt;
    }
    int64_t n = v->get<int64_t>();
    if (n < min || n > max) {
      Fail(key, "must be in " + std::to_string(min) + ".." + std::to_string(max));
      return std::nullopt;
    }
    return n;
  }

  int64_t Int(std::string_view key, int64_t min = 0,
              int64_t max = std::numeric_limits<int64_t>::max()) {
    if (Find(key) == nullptr) {
      Fail(key, "is required");
      return 0;
    }
    return OptionalInt(key, min, max).value_or(0);
  }

  bool Bool(std::string_view key, bool fallback) {
    const Json* v = Find(key);
    if (v == nullptr) return fallback;
    if (!v->is_boolean()) {
      Fail(key, "must be a boolean");
      return fallback;
    }
    return v->get<bool>();
  }

  // An RFC 3339 time as epoch milliseconds.
  std::optional<store::EpochMs> OptionalTime(std::string_view key) {
    std::optional<std::string> text = OptionalString(key, 64);
    if (!text) return std::nullopt;
    std::optional<int64_t> seconds = ParseRfc3339(*text);
    constexpr int64_t kMaxSeconds = std::numeric_limits<int64_t>::max() / 1000;
    if (!seconds || *seconds < 0 || *seconds > kMaxSeconds) {
      Fail(key, "is not an RFC 3339 time");
      return std::nullopt;
    }
    return *seconds * 1000;
  }

  store::EpochMs Time(std::string_view key) {
    if (Find(key) == nullptr) {
      Fail(key, "is required");
      return 0;
    }
    return OptionalTime(key).value_or(0);
  }

 private:
  const Json& object_;
  std::string pointer_;
  std::optional<RecordBatchError>& error_;
};

ProblemRecordRows PrepareProblem(Members& m, std::optional<RecordBatchError>& error) {
  ProblemRecordRows out;
  store::FleetProblem& p = out.problem;
  out.action = m.String("event", 64);
  if (!m.failed() && !ParseProblemAction(out.action))
    m.Fail("event", "is not a problem event: " + out.action.substr(0, 64));
  out.at = m.Time("event_time");
  out.comment = m.OptionalString("comment", 4096);
  if (out.comment && out.comment->empty()) out.comment.reset();
  p.agent_problem_id = m.String("id", 256);
  p.rule_id = m.String("rule_id", 128);
  p.title = m.OptionalString("title", 1024).value_or("");
  std::string risk = m.String("risk_level", 32);
  if (!m.failed()) {
    std::optional<RiskLevel> level = ParseRiskLevel(risk);
    if (!level || RiskLevelName(*level) != risk)
      m.Fail("risk_level", "is not a risk level");
    else
      p.risk_level = *level;
  }
  std::string status = m.String("status", 32);
  if (!m.failed()) {
    std::optional<ProblemStatus> s = ParseProblemStatus(status);
    if (!s)
      m.Fail("status", "is not a problem status");
    else
      p.status = *s;
  }
  p.resource = m.OptionalString("resource", 1024).value_or("");
  p.first_detected_at = m.Time("first_detected");
  p.last_detected_at = m.Time("last_detected");
  p.status_changed_at = m.OptionalTime("status_changed").value_or(p.last_detected_at);
  p.resolved_at = m.OptionalTime("resolved_at");
  p.times_reopened = m.OptionalInt("times_reopened").value_or(0);
  p.revision = m.Int("revision");
  if (const Json* d = m.Find("dismissed")) {
    Members dm(*d, m.pointer() + "/dismissed", error);
    store::ProblemDismissal dismissal;
    dismissal.comment = dm.OptionalString("comment", 4096).value_or("");
    dismissal.at = dm.OptionalTime("at").value_or(out.at);
    dismissal.until = dm.OptionalTime("until");
    if (p.status == ProblemStatus::kDismissed) p.dismissal = std::move(dismissal);
  }
  if (const Json* f = m.Find("finding")) {
    if (!f->is_object()) {
      m.Fail("finding", "must be an object");
    } else {
      p.finding_json = Dump(*f);
      auto desc = f->find("description");
      if (desc != f->end() && desc->is_string()) p.description = desc->get<std::string>();
    }
  }
  if (const Json* details = m.Find("details")) {
    if (!details->is_array())
      m.Fail("details", "must be an array");
    else
      p.details_json = Dump(*details);
  }
  return out;
}

StatusRecordRows PrepareStatus(Members& m, std::optional<RecordBatchError>& error) {
  StatusRecordRows out;
  const Json* jobs = m.Find("jobs");
  if (jobs == nullptr || !jobs->is_array()) {
    m.Fail("jobs", "must be an array");
    return out;
  }
  for (size_t i = 0; i < jobs->size() && !m.failed(); ++i) {
    Members j((*jobs)[i], m.pointer() + "/jobs/" + std::to_string(i), error);
    std::string kind = j.OptionalString("kind", 32).value_or("");
    if (kind == "query") {
      store::HostQueryJob q;
      q.name = j.String("name", 256);
      std::optional<int64_t> last = j.OptionalInt("last_run_ms");
      if (last && *last > 0) q.last_run_at = *last;
      q.duration_ms = q.last_run_at ? j.OptionalInt("duration_ms") : std::nullopt;
      q.outcome = j.OptionalString("outcome", 256);
      q.result = j.OptionalString("result", 4096);
      if (q.result) q.last_rows = RowsFromJobResult(*q.result);
      q.running = j.Bool("running", false);
      std::optional<int64_t> next = j.OptionalInt("next_run_ms");
      if (next && *next > 0) q.next_run_at = *next;
      q.runs = j.OptionalInt("runs").value_or(0);
      q.failures = j.OptionalInt("failures").value_or(0);
      out.query_jobs.push_back(std::move(q));
      continue;
    }
    if (kind != "detector") continue;
    store::DetectorState d;
    d.rule_id = j.String("name", 128);
    std::optional<int64_t> last = j.OptionalInt("last_run_ms");
    if (last && *last > 0) d.last_run_at = *last;
    d.duration_ms = j.OptionalInt("duration_ms");
    if (!d.last_run_at) d.duration_ms.reset();
    d.running = j.Bool("running", false);
    std::optional<std::string> outcome = j.OptionalString("outcome", 256);
    d.outcome = d.running ? std::optional<std::string>("running")
                          : RunOutcomeFromAgent(outcome.value_or(""));
    d.result = j.OptionalString("result", 4096);
    std::optional<int64_t> next = j.OptionalInt("next_run_ms");
    if (next && *next > 0 && !d.running) d.next_run_at = *next;
    d.runs = j.OptionalInt("runs").value_or(0);
    d.failures = j.OptionalInt("failures").value_or(0);
    out.detectors.push_back(std::move(d));
  }
  if (!m.failed()) out.runs = DetectorRunsFromStatusJobs(*jobs);
  return out;
}

// One result line in osquery's shape: a differential line's `columns`
// (added or removed), or each row of a snapshot.
ScheduledResultRows PrepareResult(Members& m, store::EpochMs time_ms) {
  ScheduledResultRows out;
  store::ScheduledResultRow base;
  base.name = m.String("name", 256);
  base.action = m.String("action", 16);
  base.run_at = time_ms;
  base.epoch = m.OptionalInt("epoch").value_or(0);
  base.counter = m.OptionalInt("counter").value_or(0);
  if (m.failed()) return out;
  if (base.action == "added" || base.action == "removed") {
    const Json* columns = m.Find("columns");
    if (columns == nullptr || !columns->is_object()) {
      m.Fail("columns", "must be an object (column -> value)");
      return out;
    }
    base.row_json = Dump(*columns);
    out.rows.push_back(std::move(base));
  } else if (base.action == "snapshot") {
    const Json* rows = m.Find("snapshot");
    if (rows == nullptr || !rows->is_array()) {
      m.Fail("snapshot", "must be an array of rows");
      return out;
    }
    out.rows.reserve(rows->size());
    for (size_t i = 0; i < rows->size(); ++i) {
      if (!(*rows)[i].is_object()) {
        m.Fail("snapshot/" + std::to_string(i), "must be an object (column -> value)");
        return out;
      }
      store::ScheduledResultRow row = base;
      row.row_json = Dump((*rows)[i]);
      out.rows.push_back(std::move(row));
    }
  } else {
    m.Fail("action", "must be added, removed or snapshot");
  }
  return out;
}

PackagesSnapshot PreparePackages(const Json& items, Members& m,
                                 std::optional<RecordBatchError>& error) {
  PackagesSnapshot out;
  for (size_t i = 0; i < items.size() && !m.failed(); ++i) {
    Members p(items[i], m.pointer() + "/items/" + std::to_string(i), error);
    store::HostPackage pkg;
    pkg.name = p.String("name", 256);
    pkg.version = p.String("version", 256);
    pkg.arch = p.OptionalString("arch", 64).value_or("");
    pkg.source = p.OptionalString("source", 256);
    pkg.source_version = p.OptionalString("source_version", 256);
    pkg.manager = p.OptionalString("manager", 16).value_or("deb");
    if (!p.failed() && pkg.manager != "deb" && pkg.manager != "rpm")
      p.Fail("manager", "must be deb or rpm");
    out.packages.push_back(std::move(pkg));
  }
  return out;
}

PortsSnapshot PreparePorts(const Json& items, Members& m, std::optional<RecordBatchError>& error) {
  PortsSnapshot out;
  for (size_t i = 0; i < items.size() && !m.failed(); ++i) {
    Members p(items[i], m.pointer() + "/items/" + std::to_string(i), error);
    store::HostPort port;
    port.protocol = p.String("protocol", 8);
    if (!p.failed() && port.protocol != "tcp" && port.protocol != "udp")
      p.Fail("protocol", "must be tcp or udp");
    port.address = p.OptionalString("address", 64).value_or("");
    port.port = p.Int("port", 0, 65535);
    port.family = p.OptionalString("family", 8)
                      .value_or(port.address.find(':') == std::string::npos ? "ipv4" : "ipv6");
    if (!p.failed() && port.family != "ipv4" && port.family != "ipv6")
      p.Fail("family", "must be ipv4 or ipv6");
    port.pid = p.OptionalInt("pid");
    port.process = p.OptionalString("process", 256);
    port.path = p.OptionalString("path", 4096);
    port.user = p.OptionalString("user", 256);
    port.loopback = IsLoopbackAddress(port.address);
    out.ports.push_back(std::move(port));
  }
  return out;
}

PreparedRecord PrepareRecord(const Json& record, const std::string& pointer,
                             std::optional<RecordBatchError>& error) {
  PreparedRecord out;
  Members r(record, pointer, error);
  out.id = r.String("id", store::RecordLedger::kMaxRecordIdBytes);
  out.kind = r.String("kind", 32);
  out.time_ms = r.Int("time_ms");
  const Json* body = r.Find("body");
  if (body == nullptr) r.Fail("body", "is required");
  if (r.failed()) return out;
  Members b(*body, pointer + "/body", error);
  if (b.failed()) return out;
  if (out.kind == "problems") {
    out.rows = PrepareProblem(b, error);
  } else if (out.kind == "status") {
    out.rows = PrepareStatus(b, error);
  } else if (out.kind == "inventory") {
    std::string type = b.String("type", 16);
    const Json* items = b.Find("items");
    if (type == "packages" || type == "ports") {
      if (items == nullptr || !items->is_array()) {
        b.Fail("items", "must be an array");
      } else if (type == "packages") {
        out.rows = PreparePackages(*items, b, error);
      } else {
        out.rows = PreparePorts(*items, b, error);
      }
    } else if (type == "os") {
      out.rows = OsSnapshot{};
    } else if (!b.failed()) {
      b.Fail("type", "must be packages, ports or os");
    }
  } else if (out.kind == "command_results") {
    CommandResultRows c;
    std::string id = b.String("command_id", 128);
    if (!b.failed()) {
      bool digits =
          !id.empty() && id.size() <= 18 && id.find_first_not_of("0123456789") == std::string::npos;
      if (digits) c.command_id = std::stoll(id);
      if (!digits || c.command_id <= 0) b.Fail("command_id", "is not a command id");
    }
    c.outcome.status = b.String("status", 16);
    if (!b.failed() && c.outcome.status != "succeeded" && c.outcome.status != "failed" &&
        c.outcome.status != "rejected")
      b.Fail("status", "must be succeeded, failed or rejected");
    c.outcome.error = b.OptionalString("error", 4096);
    if (const Json* output = b.Find("output")) {
      if (!output->is_object())
        b.Fail("output", "must be an object");
      else
        c.outcome.output_json = Dump(*output);
    }
    c.outcome.finished_at = out.time_ms;
    out.rows = std::move(c);
  } else if (out.kind == "results") {
    out.rows = PrepareResult(b, out.time_ms);
  } else if (out.kind == "events" || out.kind == "query_results") {
    out.rows = LedgerOnly{};
  } else {
    r.Fail("kind", "is not a record kind");
  }
  return out;
}

// The suppressions that apply during one batch's write, read on first use.
struct BatchSuppressions {
  std::optional<std::vector<store::Suppression>> active;
  store::EpochMs now = 0;
};

// A problem the agent just opened or reopened, dismissed when a suppression
// covers it.
Status SuppressNewProblem(store::StoreWriter& w, const IngestHost& host,
                          const store::FleetProblem& problem, BatchSuppressions& suppressions,
                          IngestOutcome& outcome) {
  if (!suppressions.active) {
    ASSIGN_OR_RETURN(suppressions.active, w.suppressions().Active(suppressions.now));
  }
  if (suppressions.active->empty()) return Status::Ok();
  store::Host matched;
  matched.id = host.id;
  matched.hostname = host.hostname;
  matched.labels = host.labels;
  SuppressionActor by;
  by.actor.type = "system";
  by.command_created_by = "system:";
  by.audit.time = suppressions.now;
  by.audit.actor_type = store::ActorType::kSystem;
  by.audit.action = "applySuppression";
  by.now = suppressions.now;
  ASSIGN_OR_RETURN(int64_t woken, SuppressIfCovered(w, problem, matched, *suppressions.active, by));
  if (woken != 0) outcome.commands_queued = true;
  return Status::Ok();
}

// Applies one claimed record inside the write.
Status ApplyRecord(store::StoreWriter& w, const IngestHost& host, PreparedRecord& record,
                   BatchSuppressions& suppressions, IngestOutcome& outcome) {
  if (auto* p = std::get_if<ProblemRecordRows>(&record.rows)) {
    store::FleetProblem problem = p->problem;
    problem.host_id = host.id;
    problem.hostname = host.hostname;
    problem.updated_at = record.time_ms;
    // A dismissal made on the host is the node's; the store keeps who made
    // one on the server (same comment) when the agent reports it back.
    if (problem.dismissal) problem.dismissal->by = {"node", std::to_string(host.id), host.hostname};
    ASSIGN_OR_RETURN(store::ProblemUpsert upsert, w.problems().Upsert(problem));
    if (p->action == "occurred") return Status::Ok();
    store::ProblemHistoryRecord h;
    h.problem_id = upsert.problem.id;
    h.revision = problem.revision;
    h.at = p->at;
    h.action = p->action;
    h.status = problem.status;
    h.actor = {"node", std::to_string(host.id), host.hostname};
    h.comment = p->comment;
    RETURN_IF_ERROR(w.problems().AppendHistory(h).status());
    if (upsert.applied && upsert.problem.status == ProblemStatus::kOpen &&
        (p->action == "opened" || p->action == "reopened"))
      return SuppressNewProblem(w, host, upsert.problem, suppressions, outcome);
    return Status::Ok();
  }
  if (auto* s = std::get_if<StatusRecordRows>(&record.rows)) {
    RETURN_IF_ERROR(w.inventory().ReplaceDetectors(host.id, s->detectors, record.time_ms).status());
    for (store::DetectorRun& run : s->runs) {
      run.host_id = host.id;
      RETURN_IF_ERROR(w.detector_runs().Record(run));
    }
    for (store::HostQueryJob& job : s->query_jobs) job.host_id = host.id;
    return w.scheduled_results().ReplaceHostJobs(host.id, s->query_jobs, record.time_ms).status();
  }
  if (auto* res = std::get_if<ScheduledResultRows>(&record.rows)) {
    for (store::ScheduledResultRow& row : res->rows) {
      row.host_id = host.id;
      row.hostname = host.hostname;
    }
    return w.scheduled_results().Append(res->rows);
  }
  if (auto* pk = std::get_if<PackagesSnapshot>(&record.rows)) {
    ASSIGN_OR_RETURN(bool newer,
                     w.inventory().ReplacePackages(host.id, pk->packages, record.time_ms));
    if (newer) outcome.packages_changed = true;
    return Status::Ok();
  }
  if (auto* pt = std::get_if<PortsSnapshot>(&record.rows))
    return w.inventory().ReplacePorts(host.id, host.hostname, pt->ports, record.time_ms).status();
  if (std::holds_alternative<OsSnapshot>(record.rows))
    return w.inventory().TouchOs(host.id, record.time_ms).status();
  if (auto* c = std::get_if<CommandResultRows>(&record.rows))
    return RecordCommandResult(w, host.id, c->command_id, c->outcome).status();
  return Status::Ok();
}

}  // namespace

std::optional<std::string> RunOutcomeFromAgent(std::string_view agent_outcome) {
  if (agent_outcome == "ok" || agent_outcome == "succeeded") return "succeeded";
  if (agent_outcome == "error" || agent_outcome == "failed") return "failed";
  if (agent_outcome == "stopped" || agent_outcome == "timed_out") return "timed_out";
  if (agent_outcome == "skipped") return "skipped";
  if (agent_outcome == "running") return "running";
  return std::nullopt;
}

std::optional<int64_t> RowsFromJobResult(std::string_view result) {
  // The agent's status says "<outcome>: <summary>" ("ok: 12 rows").
  if (const size_t colon = result.find(": "); colon != std::string_view::npos && colon < 16)
    result.remove_prefix(colon + 2);
  size_t digits = 0;
  while (digits < result.size() && digits < 18 && result[digits] >= '0' && result[digits] <= '9')
    ++digits;
  if (digits == 0 || result.substr(digits, 5) != " rows") return std::nullopt;
  return std::stoll(std::string(result.substr(0, digits)));
}

bool IsLoopbackAddress(std::string_view address) {
  return address == "::1" || address.rfind("127.", 0) == 0 || address == "localhost" ||
         address.rfind("::ffff:127.", 0) == 0;
}

PreparedRecordBatch PrepareRecordBatch(const Json& batch) {
  PreparedRecordBatch out;
  Members m(batch, "", out.error);
  out.batch_id = m.String("batch_id", 128);
  const Json* records = m.Find("records");
  if (records == nullptr || !records->is_array()) {
    m.Fail("records", "must be an array");
    return out;
  }
  constexpr size_t kMaxRecords = 10'000;
  if (records->empty() || records->size() > kMaxRecords) {
    m.Fail("records", "must hold 1.." + std::to_string(kMaxRecords) + " records");
    return out;
  }
  out.records.reserve(records->size());
  for (size_t i = 0; i < records->size() && !out.error; ++i)
    out.records.push_back(PrepareRecord((*records)[i], "/records/" + std::to_string(i), out.error));
  if (out.error) out.records.clear();
  return out;
}

store::Pending<IngestOutcome> IngestRecordBatch(store::Store& store, const IngestHost& host,
                                                PreparedRecordBatch batch, store::EpochMs now) {
  auto shared = std::make_shared<PreparedRecordBatch>(std::move(batch));
  return store.Write([shared, host, now](store::StoreWriter& w) -> Result<IngestOutcome> {
    if (shared->error) return InvalidArgument(shared->error->field + ": " + shared->error->message);
    IngestOutcome outcome;
    BatchSuppressions suppressions;
    suppressions.now = now;
    for (PreparedRecord& record : shared->records) {
      ASSIGN_OR_RETURN(bool first, w.ledger().Claim(host.id, record.id, now));
      if (!first) {
        ++outcome.duplicates;
        continue;
      }
      Status applied = ApplyRecord(w, host, record, suppressions, outcome);
      if (!applied.ok()) return applied.WithContext("record " + record.id.substr(0, 64));
      ++outcome.accepted;
    }
    return outcome;
  });
}

}  // namespace warden::server
