#include "ebpf/host_event_tables.h"

#include <cmath>
#include <limits>

#include "core/output_format.h"
#include "ebpf/event_journal.h"
#include "ebpf/journal_event_codec.h"

namespace warden {

namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

// The [min, max] nanosecond window a query's `time` constraints allow. Rows
// carry whole seconds (floor of the event's nanoseconds), so `time > 5`
// starts at 6 s and `time <= 5` ends just before 6 s.
void TimeWindow(const QueryContext& ctx, int64_t* min_ns, int64_t* max_ns) {
  *min_ns = std::numeric_limits<int64_t>::min();
  *max_ns = std::numeric_limits<int64_t>::max();
  const std::vector<Constraint>* constraints = ctx.Constraints("time");
  if (constraints == nullptr) return;
  constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / kNanosPerSecond - 1;
  for (const Constraint& c : *constraints) {
    double v = 0;
    if (const auto* i = std::get_if<int64_t>(&c.value))
      v = static_cast<double>(*i);
    else if (const auto* d = std::get_if<double>(&c.value))
      v = *d;
    else
      continue;  // text or NULL: leave it to SQLite
    if (!std::isfinite(v) || v > kLimit || v < -kLimit) continue;
    // Integer seconds bounds; a fractional bound is rounded the safe way.
    const int64_t lo_ceil = static_cast<int64_t>(std::ceil(v));
    const int64_t hi_floor = static_cast<int64_t>(std::floor(v));
    switch (c.op) {
      case ConstraintOp::kGt:
        *min_ns = std::max(*min_ns, (hi_floor + 1) * kNanosPerSecond);
        break;
      case ConstraintOp::kGe:
        *min_ns = std::max(*min_ns, lo_ceil * kNanosPerSecond);
        break;
      case ConstraintOp::kLt:
        *max_ns = std::min(*max_ns, lo_ceil * kNanosPerSecond - 1);
        break;
      case ConstraintOp::kLe:
        *max_ns = std::min(*max_ns, (hi_floor + 1) * kNanosPerSecond - 1);
        break;
      case ConstraintOp::kEq:
      case ConstraintOp::kIs:
        *min_ns = std::max(*min_ns, lo_ceil * kNanosPerSecond);
        *max_ns = std::min(*max_ns, (hi_floor + 1) * kNanosPerSecond - 1);
        break;
      default:
        break;
    }
  }
}

// Opens the journal; a missing journal (or --root) is "no events", not an error.
Result<std::unique_ptr<EventJournalReader>> OpenJournal(const QueryContext& ctx,
                                                        const std::string& path) {
  if (!ctx.fs().is_live()) return NotFound("event tables describe the live host only");
  return EventJournalReader::Open(path.empty() ? DefaultEventJournalPath() : path);
}

std::string JsonArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, items[i]);
  }
  out += ']';
  return out;
}

std::string AncestryJson(const StoredProcessEvent& e) {
  std::string out = "[";
  for (size_t i = 0; i < e.ancestor_pids.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"pid\":" + std::to_string(e.ancestor_pids[i]) + ",\"path\":";
    AppendJsonString(out, e.ancestor_paths[i]);
    out += '}';
  }
  out += ']';
  return out;
}

// Scans the journal's records of one kind in the query's time window: the
// columns both event tables share are set here, the rest by `fill`.
template <typename Stored, typename Decode, typename Fill>
Status GenerateEvents(const QueryContext& ctx, RowWriter& out, const std::string& journal_path,
                      uint16_t kind, Decode decode, Fill fill) {
  auto journal = OpenJournal(ctx, journal_path);
  if (!journal.ok())
    return journal.status().code() == StatusCode::kIoError ? journal.status() : Status::Ok();
  int64_t min_ns, max_ns;
  TimeWindow(ctx, &min_ns, &max_ns);
  Stored e;
  return (*journal)->Scan(min_ns, max_ns, [&](const JournalRecord& record) {
    if (ctx.Cancelled()) return false;
    if (record.kind != kind || !decode(record.payload, &e)) return true;
    Row& row = out.Add();
    row.Set("tid", e.tid);
    row.Set("pid", e.pid);
    row.Set("parent", e.parent);
    row.Set("uid", e.uid);
    row.Set("gid", e.gid);
    row.Set("cid", e.cgroup_id);
    row.Set("exit_code", std::to_string(e.result));
    row.Set("probe_error", e.probe_error ? 1 : 0);
    row.Set("syscall", e.syscall);
    row.Set("ntime", std::to_string(e.boot_ns));
    row.Set("time", record.time_ns / kNanosPerSecond);
    row.Set("eid", static_cast<int64_t>(record.sequence));
    fill(e, row);
    return true;
  });
}

Status GenerateProcessEvents(const QueryContext& ctx, RowWriter& out,
                             const std::string& journal_path) {
  return GenerateEvents<StoredProcessEvent>(
      ctx, out, journal_path, kJournalProcessEvent, DecodeProcessEvent,
      [&](const StoredProcessEvent& e, Row& row) {
        row.Set("path", e.exec_path.empty() ? e.path : e.exec_path);
        row.Set("cwd", e.cwd);
        std::string cmdline;
        for (const std::string& a : e.argv) {
          if (!cmdline.empty()) cmdline += ' ';
          cmdline += a;
        }
        row.Set("cmdline", std::move(cmdline));
        if (ctx.IsUsed("json_cmdline")) row.Set("json_cmdline", JsonArray(e.argv));
        row.Set("exe", e.path);
        row.Set("euid", e.euid);
        row.Set("parent_path", e.parent_path);
        if (ctx.IsUsed("ancestry")) row.Set("ancestry", AncestryJson(e));
      });
}

Status GenerateSocketEvents(const QueryContext& ctx, RowWriter& out,
                            const std::string& journal_path) {
  return GenerateEvents<StoredSocketEvent>(ctx, out, journal_path, kJournalSocketEvent,
                                           DecodeSocketEvent,
                                           [](const StoredSocketEvent& e, Row& row) {
                                             row.Set("path", e.path);
                                             row.Set("fd", std::to_string(e.fd));
                                             row.Set("family", e.family);
                                             row.Set("type", e.type);
                                             row.Set("protocol", e.protocol);
                                             row.Set("local_address", e.local_address);
                                             row.Set("remote_address", e.remote_address);
                                             row.Set("local_port", e.local_port);
                                             row.Set("remote_port", e.remote_port);
                                           });
}

}  // namespace

void RegisterHostEventTables(TableRegistry& registry, std::string journal_path) {
  using T = ColumnType;
  registry.Add(
      TableSchema{
          "bpf_process_events",
          "Processes executed on the host, as the eBPF collector (or its fallback) saw them; "
          "kept in a bounded journal by `warden events watch` or the agent.",
          {{"tid", T::kBigInt, kNone, "", "Thread id"},
           {"pid", T::kBigInt, kNone, "", "Process id"},
           {"parent", T::kBigInt, kNone, "", "Parent process id"},
           {"uid", T::kBigInt, kNone, "", "User id"},
           {"gid", T::kBigInt, kNone, "", "Group id"},
           {"cid", T::kInteger, kNone, "", "Cgroup (v2) id"},
           {"exit_code", T::kText, kNone, "", "Exit code of the system call"},
           {"probe_error", T::kInteger, kNone, "",
            "1 when some data could not be captured or was cut"},
           {"syscall", T::kText, kNone, "", "System call name (execve, execveat)"},
           {"path", T::kText, kNone, "", "Path executed (for a script: the script)"},
           {"cwd", T::kText, kNone, "", "Current working directory"},
           {"cmdline", T::kText, kNone, "", "Command line arguments"},
           {"duration", T::kInteger, kNone, "",
            "How much time was spent inside the syscall (nsecs)"},
           {"json_cmdline", T::kText, kHidden, "", "Command line arguments, as a JSON array"},
           {"ntime", T::kText, kNone, "", "The nsecs uptime timestamp as obtained from BPF"},
           {"time", T::kBigInt, kHidden | kAdditional, "", "Time of execution in UNIX time"},
           {"eid", T::kInteger, kHidden, "", "Event id"},
           {"exe", T::kText, kNone, "",
            "Warden: the executable the kernel ran (a script's interpreter)"},
           {"euid", T::kBigInt, kNone, "", "Warden: effective user id"},
           {"parent_path", T::kText, kNone, "", "Warden: the parent's executable"},
           {"ancestry", T::kText, kHidden, "", "Warden: parent chain as JSON, parent first"}}},
      [journal_path](const QueryContext& ctx, RowWriter& out) {
        return GenerateProcessEvents(ctx, out, journal_path);
      });
  registry.Add(
      TableSchema{
          "bpf_socket_events",
          "Socket connects, accepts, binds and listens on the host, as the eBPF collector saw "
          "them; "
          "kept in a bounded journal by `warden events watch` or the agent.",
          {{"tid", T::kBigInt, kNone, "", "Thread id"},
           {"pid", T::kBigInt, kNone, "", "Process id"},
           {"parent", T::kBigInt, kNone, "", "Parent process id"},
           {"uid", T::kBigInt, kNone, "", "User id"},
           {"gid", T::kBigInt, kNone, "", "Group id"},
           {"cid", T::kInteger, kNone, "", "Cgroup (v2) id"},
           {"exit_code", T::kText, kNone, "", "Exit code of the system call"},
           {"probe_error", T::kInteger, kNone, "", "1 when some data could not be captured"},
           {"syscall", T::kText, kNone, "",
            "System call name (connect, accept, accept4, bind, listen)"},
           {"path", T::kText, kNone, "", "Path of the executed file"},
           {"fd", T::kText, kNone, "", "The file descriptor of the socket"},
           {"family", T::kInteger, kNone, "", "The Internet protocol family ID"},
           {"type", T::kInteger, kNone, "", "The socket type"},
           {"protocol", T::kInteger, kNone, "", "The network protocol ID"},
           {"local_address", T::kText, kNone, "", "Local address associated with socket"},
           {"remote_address", T::kText, kNone, "", "Remote address associated with socket"},
           {"local_port", T::kInteger, kNone, "", "Local network protocol port number"},
           {"remote_port", T::kInteger, kNone, "", "Remote network protocol port number"},
           {"duration", T::kInteger, kNone, "",
            "How much time was spent inside the syscall (nsecs)"},
           {"ntime", T::kText, kNone, "", "The nsecs uptime timestamp as obtained from BPF"},
           {"time", T::kBigInt, kHidden | kAdditional, "", "Time of execution in UNIX time"},
           {"eid", T::kInteger, kHidden, "", "Event id"}}},
      [journal_path](const QueryContext& ctx, RowWriter& out) {
        return GenerateSocketEvents(ctx, out, journal_path);
      });
}

}  // namespace warden
