#include "ebpf/host_event_fields.h"

#include <ctime>
#include <unordered_map>

#include "core/output_format.h"

namespace warden {

namespace {

const HostEvent& Ev(const EventView& v) { return *v.event; }
bool IsExec(const EventView& v) { return v.event->kind == HostEventKind::kExec; }

std::string_view SocketFamilyName(int family) {
  return family == 2 ? "ipv4" : family == 10 ? "ipv6" : "";
}

std::string_view SocketTypeName(int type) {
  switch (type) {
    case 1:
      return "stream";
    case 2:
      return "dgram";
    case 3:
      return "raw";
    case 5:
      return "seqpacket";
    default:
      return "";
  }
}

std::string_view ProtocolName(int protocol) {
  switch (protocol) {
    case 6:
      return "tcp";
    case 17:
      return "udp";
    case 132:
      return "sctp";
    case 1:
      return "icmp";
    case 58:
      return "icmpv6";
    default:
      return "";
  }
}

void NonEmpty(FieldSink& s, std::string_view text) {
  if (!text.empty()) s.Text(text);
}

void StdioOf(const EventView& v, size_t fd, bool parent, FieldSink& s) {
  StdioKind kind = StdioKind::kUnknown;
  if (IsExec(v)) {
    kind = parent ? Ev(v).parent_stdio[fd] : Ev(v).stdio[fd];
  } else {
    const ProcessRecord* r = parent ? v.parent() : v.process;
    if (r != nullptr) kind = r->stdio[fd];
  }
  NonEmpty(s, StdioKindName(kind));
}

std::string_view ProcessName(const EventView& v) {
  const HostEvent& e = Ev(v);
  if (IsExec(v)) {
    if (!e.exec_path.empty()) return PathBaseName(e.exec_path);
    if (!e.exe.empty()) return PathBaseName(e.exe);
    return e.comm;
  }
  if (v.process != nullptr && !v.process->name.empty()) return v.process->name;
  return e.comm;
}

bool HasSocket(const EventView& v) { return IsSocketEvent(Ev(v).kind); }

#define GETTER [](const EventView& v, FieldSink& s)

const std::vector<HostEventField> kCatalog = {
    {"event", GETTER{s.Text(HostEventKindName(Ev(v).kind));
}  // namespace
}  // namespace warden
, {"time", GETTER{s.OwnedText(FormatRfc3339Millis(Ev(v).time_ns));
}
}
, {"epoch", GETTER{s.Number(Ev(v).time_ns / 1000000000);
}
}
, {"eid", GETTER{if (Ev(v).id != 0) s.Number(static_cast<int64_t>(Ev(v).id));
}
}
, {"source", GETTER{s.Text(EventOriginName(Ev(v).origin));
}
}
, {"host", GETTER{NonEmpty(s, v.hostname);
}
}
, {"syscall", GETTER{NonEmpty(s, Ev(v).syscall);
}
}
, {"result", GETTER{HostEventKind k = Ev(v).kind;
if (k != HostEventKind::kFork && k != HostEventKind::kExit) s.Number(Ev(v).result);
}
}
,

    {"process.pid", GETTER{s.Number(Ev(v).pid);
}
}
, {"process.tid", GETTER{if (Ev(v).tid > 0) s.Number(Ev(v).tid);
}
}
, {"process.ppid", GETTER{s.Number(Ev(v).ppid);
}
}
, {"process.uid", GETTER{if (Ev(v).uid >= 0) s.Number(Ev(v).uid);
}
}
, {"process.gid", GETTER{if (Ev(v).gid >= 0) s.Number(Ev(v).gid);
}
}
, {"process.euid", GETTER{if (Ev(v).euid >= 0) s.Number(Ev(v).euid);
}
}
, {"process.egid", GETTER{if (Ev(v).egid >= 0) s.Number(Ev(v).egid);
}
}
, {"process.user", GETTER{NonEmpty(s, v.user);
}
}
, {"process.name", GETTER{NonEmpty(s, ProcessName(v));
}
}
, {"process.exe", GETTER{if (!Ev(v).exe.empty()) s.Text(Ev(v).exe);
else if (v.process != nullptr) NonEmpty(s, v.process->exe);
}
}
, {"process.path", GETTER{if (IsExec(v)) NonEmpty(s, Ev(v).exec_path);
else if (v.process != nullptr) NonEmpty(s, v.process->exec_path);
}
}
, {"process.cmdline", GETTER{if (IsExec(v)) s.OwnedText(Ev(v).CommandLine());
else if (v.process != nullptr) NonEmpty(s, v.process->cmdline);
}
}
, {"process.args", GETTER{if (IsExec(v)) for (const std::string& a : Ev(v).argv) s.Text(a);
}
, true
}
, {"process.cwd", GETTER{if (IsExec(v)) NonEmpty(s, Ev(v).cwd);
}
}
, {"process.comm", GETTER{NonEmpty(s, Ev(v).comm);
}
}
, {"process.cgroup_id",
   GETTER{if (Ev(v).cgroup_id != 0) s.Number(static_cast<int64_t>(Ev(v).cgroup_id));
}
}
, {"process.cgroup", GETTER{NonEmpty(s, v.cgroup);
}
}
, {"process.container_id", GETTER{NonEmpty(s, v.container_id);
}
}
, {"process.exe_deleted", GETTER{if (IsExec(v)) s.Bool(Ev(v).exe_deleted);
}
}
, {"process.stdin", GETTER{StdioOf(v, 0, false, s);
}
}
, {"process.stdout", GETTER{StdioOf(v, 1, false, s);
}
}
, {"process.stderr", GETTER{StdioOf(v, 2, false, s);
}
}
,

    {"parent.pid", GETTER{if (Ev(v).ppid > 0) s.Number(Ev(v).ppid);
}
}
, {"parent.name", GETTER{if (v.parent() != nullptr) NonEmpty(s, v.parent()->name);
}
}
, {"parent.exe", GETTER{if (v.parent() != nullptr) NonEmpty(s, v.parent()->exe);
}
}
, {"parent.cmdline", GETTER{if (v.parent() != nullptr) NonEmpty(s, v.parent()->cmdline);
}
}
, {"parent.uid",
   GETTER{if (v.parent() != nullptr && v.parent()->uid >= 0) s.Number(v.parent()->uid);
}
}
, {"parent.stdin", GETTER{StdioOf(v, 0, true, s);
}
}
, {"parent.stdout", GETTER{StdioOf(v, 1, true, s);
}
}
, {"parent.stderr", GETTER{StdioOf(v, 2, true, s);
}
}
,

    {"ancestors.pid", GETTER{for (const ProcessRecord* a
                                  : v.ancestors) s.Number(a->pid);
}
, true
}
, {"ancestors.name", GETTER{for (const ProcessRecord* a : v.ancestors) s.Text(a->name);
}
, true
}
, {"ancestors.exe", GETTER{for (const ProcessRecord* a : v.ancestors) s.Text(a->exe);
}
, true
}
, {"ancestors.cmdline", GETTER{for (const ProcessRecord* a : v.ancestors) s.Text(a->cmdline);
}
, true
}
,

    {"stdio_peer.address",
     GETTER{if (IsExec(v) && Ev(v).stdio_peer.family != 0) s.Text(Ev(v).stdio_peer.address);
}
}
, {"stdio_peer.port",
   GETTER{if (IsExec(v) && Ev(v).stdio_peer.family != 0) s.Number(Ev(v).stdio_peer.port);
}
}
,

    {"exit.code",
     GETTER{if (Ev(v).kind == HostEventKind::kExit) s.Number(ExitCodeOf(Ev(v).exit_status));
}
}
, {"exit.signal",
   GETTER{if (Ev(v).kind == HostEventKind::kExit) s.Number(ExitSignalOf(Ev(v).exit_status));
}
}
, {"exit.duration_ms",
   GETTER{if (Ev(v).kind == HostEventKind::kExit) s.Number(Ev(v).duration_ns / 1000000);
}
}
,

    {"socket.family",
     GETTER{if (HasSocket(v)) NonEmpty(
         s, SocketFamilyName(Ev(v).local.family ? Ev(v).local.family : Ev(v).remote.family));
}
}
, {"socket.type", GETTER{if (HasSocket(v)) NonEmpty(s, SocketTypeName(Ev(v).socket_type));
}
}
, {"socket.protocol", GETTER{if (HasSocket(v)) NonEmpty(s, ProtocolName(Ev(v).protocol));
}
}
, {"socket.local_address",
   GETTER{if (HasSocket(v) && Ev(v).local.family != 0) s.Text(Ev(v).local.address);
}
}
, {"socket.local_port",
   GETTER{if (HasSocket(v) && Ev(v).local.family != 0) s.Number(Ev(v).local.port);
}
}
, {"socket.remote_address",
   GETTER{if (HasSocket(v) && Ev(v).remote.family != 0) s.Text(Ev(v).remote.address);
}
}
, {"socket.remote_port",
   GETTER{if (HasSocket(v) && Ev(v).remote.family != 0) s.Number(Ev(v).remote.port);
}
}
, {"socket.fd", GETTER{if (HasSocket(v) && Ev(v).fd >= 0) s.Number(Ev(v).fd);
}
}
,

#define SETID_FIELD(name, expr)                                               \
  {                                                                           \
    "setid." name, GETTER {                                                   \
      if (Ev(v).kind == HostEventKind::kSetId && (expr) >= 0) s.Number(expr); \
    }                                                                         \
  }
    SETID_FIELD("uid", Ev(v).uid), SETID_FIELD("euid", Ev(v).euid), SETID_FIELD("suid", Ev(v).suid),
    SETID_FIELD("fsuid", Ev(v).fsuid), SETID_FIELD("gid", Ev(v).gid),
    SETID_FIELD("egid", Ev(v).egid), SETID_FIELD("sgid", Ev(v).sgid),
    SETID_FIELD("fsgid", Ev(v).fsgid),
#undef SETID_FIELD
    {"setid.args",
     GETTER{if (Ev(v).kind == HostEventKind::kSetId) for (int64_t a
                                                          : Ev(v).setid_args) s.Number(a);
}
, true
}
, {"setid.previous_uid",
   GETTER{if (Ev(v).kind == HostEventKind::kSetId && v.previous_uid >= 0) s.Number(v.previous_uid);
}
}
, {"setid.previous_euid", GETTER{if (Ev(v).kind == HostEventKind::kSetId && v.previous_euid >= 0)
                                     s.Number(v.previous_euid);
}
}
,

    {"file.path", GETTER{if (Ev(v).kind == HostEventKind::kOpen) NonEmpty(s, Ev(v).path);
}
}
, {"file.access",
   GETTER{if (Ev(v).kind == HostEventKind::kOpen) NonEmpty(s, OpenAccessName(Ev(v).open_flags));
}
}
, {"file.flags", GETTER{if (Ev(v).kind == HostEventKind::kOpen && Ev(v).open_flags >= 0)
                            s.Number(Ev(v).open_flags);
}
}
,

    {"module.path", GETTER{if (Ev(v).kind == HostEventKind::kModuleLoad) NonEmpty(s, Ev(v).path);
}
}
,
}
;

#undef GETTER

// Adds values to EventFields, keeping number texts alive in `scratch`.
class EventFieldsSink : public FieldSink {
 public:
  EventFieldsSink(EventFields* out, std::deque<std::string>* scratch)
      : out_(out), scratch_(scratch) {}
  void set_field(FieldId id) { id_ = id; }
  void Text(std::string_view value) override { out_->Add(id_, value, ValueKind::kString); }
  void OwnedText(std::string value) override {
    scratch_->push_back(std::move(value));
    out_->Add(id_, scratch_->back(), ValueKind::kString);
  }
  void Number(int64_t value) override {
    scratch_->push_back(std::to_string(value));
    out_->Add(id_, scratch_->back(), ValueKind::kNumber);
  }
  void Bool(bool value) override { out_->Add(id_, value ? "true" : "false", ValueKind::kBool); }

 private:
  EventFields* out_;
  std::deque<std::string>* scratch_;
  FieldId id_ = kNoField;
};

// Appends JSON values, comma-separated.
class JsonSink : public FieldSink {
 public:
  explicit JsonSink(std::string* out) : out_(out) {}
  void Text(std::string_view value) override {
    Separate();
    AppendJsonString(*out_, value);
  }
  void OwnedText(std::string value) override { Text(value); }
  void Number(int64_t value) override {
    Separate();
    *out_ += std::to_string(value);
  }
  void Bool(bool value) override {
    Separate();
    *out_ += value ? "true" : "false";
  }
  size_t count() const { return count_; }

 private:
  void Separate() {
    if (count_++ > 0) *out_ += ',';
  }
  std::string* out_;
  size_t count_ = 0;
};

}  // namespace

EventView MakeEventView(const HostEvent& event, const ProcessTable& table,
                        std::string_view hostname, int64_t previous_uid, int64_t previous_euid) {
  EventView v;
  v.event = &event;
  v.process = table.Find(event.pid);
  v.ancestors = table.Ancestry(event.pid);
  if (v.ancestors.empty() && event.ppid > 0) {
    // The process itself is not in the table (e.g. it already exited and
    // was evicted): its parent may still be.
    if (const ProcessRecord* parent = table.Find(event.ppid)) {
      v.ancestors.push_back(parent);
      for (const ProcessRecord* a : table.Ancestry(event.ppid, ProcessTable::kMaxAncestry - 1))
        v.ancestors.push_back(a);
    }
  }
  v.previous_uid = previous_uid;
  v.previous_euid = previous_euid;
  v.hostname = hostname;
  return v;
}

const std::vector<HostEventField>& HostEventFieldCatalog() { return kCatalog; }

const HostEventField* FindHostEventField(std::string_view path) {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const HostEventField*>();
    for (const HostEventField& f : kCatalog) (*m)[f.path] = &f;
    return m;
  }();
  auto it = index->find(path);
  return it == index->end() ? nullptr : it->second;
}

HostEventFieldExtractor::HostEventFieldExtractor(const FieldRegistry& registry)
    : field_count_(registry.size()) {
  for (FieldId id = 0; id < registry.size(); ++id) {
    if (const HostEventField* f = FindHostEventField(registry.path(id)))
      fields_.emplace_back(id, f->get);
    else
      unknown_paths_.push_back(registry.path(id));
  }
}

void HostEventFieldExtractor::Extract(const EventView& view, EventFields* out) {
  out->Reset(field_count_);
  scratch_.clear();
  EventFieldsSink sink(out, &scratch_);
  for (const auto& [id, get] : fields_) {
    sink.set_field(id);
    get(view, sink);
  }
}

void RenderHostEventJson(const EventView& view, std::string* out) {
  *out += '{';
  bool first_key = true;
  std::string_view open_group;  // the nested object being written, "" at top level
  std::string value;
  auto key = [&](std::string_view name) {
    if (!first_key) *out += ',';
    first_key = false;
    AppendJsonString(*out, name);
    *out += ':';
  };
  auto close_group = [&] {
    if (!open_group.empty()) {
      *out += '}';
      open_group = {};
      first_key = false;
    }
  };
  bool ancestors_done = false;
  for (const HostEventField& f : kCatalog) {
    size_t dot = f.path.find('.');
    std::string_view group =
        dot == std::string_view::npos ? std::string_view() : f.path.substr(0, dot);
    std::string_view leaf = dot == std::string_view::npos ? f.path : f.path.substr(dot + 1);
    if (group == "ancestors") {
      // An array of objects rather than parallel arrays.
      if (ancestors_done) continue;
      ancestors_done = true;
      close_group();
      if (view.ancestors.empty()) continue;
      key("ancestors");
      *out += '[';
      for (size_t i = 0; i < view.ancestors.size(); ++i) {
        const ProcessRecord* a = view.ancestors[i];
        if (i > 0) *out += ',';
        *out += "{\"pid\":" + std::to_string(a->pid) + ",\"name\":";
        AppendJsonString(*out, a->name);
        *out += ",\"exe\":";
        AppendJsonString(*out, a->exe);
        *out += ",\"cmdline\":";
        AppendJsonString(*out, a->cmdline);
        *out += '}';
      }
      *out += ']';
      continue;
    }
    value.clear();
    JsonSink sink(&value);
    f.get(view, sink);
    if (sink.count() == 0) continue;
    if (group != open_group) {
      close_group();
      if (!group.empty()) {
        key(group);
        *out += '{';
        open_group = group;
        first_key = true;
      }
    }
    key(leaf);
    if (f.repeated) {
      *out += '[';
      *out += value;
      *out += ']';
    } else {
      *out += value;
    }
  }
  close_group();
  *out += '}';
}

std::string FormatRfc3339Millis(int64_t epoch_ns) {
  time_t seconds = static_cast<time_t>(epoch_ns / 1000000000);
  int millis = static_cast<int>((epoch_ns / 1000000) % 1000);
  if (millis < 0) millis += 1000;
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  char buf[40];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%03dZ", millis);
  return buf;
}

}  // namespace warden
