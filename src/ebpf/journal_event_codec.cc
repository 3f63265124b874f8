#include "ebpf/journal_event_codec.h"

#include <cstring>

namespace warden {

namespace {

// A payload starts with a format byte so that a later layout can be told
// apart from this one.
constexpr uint8_t kFormat = 1;
constexpr size_t kMaxListItems = 4096;

class Encoder {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void I64(int64_t v) {
    char b[8];
    memcpy(b, &v, 8);
    out_.append(b, 8);
  }
  void Str(std::string_view s) {
    uint32_t n = static_cast<uint32_t>(std::min<size_t>(s.size(), 1u << 20));
    char b[4];
    memcpy(b, &n, 4);
    out_.append(b, 4);
    out_.append(s.data(), n);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) {
    if (in_.size() < 1) return false;
    *v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool I64(int64_t* v) {
    if (in_.size() < 8) return false;
    memcpy(v, in_.data(), 8);
    in_.remove_prefix(8);
    return true;
  }
  bool U64(uint64_t* v) {
    int64_t x;
    if (!I64(&x)) return false;
    *v = static_cast<uint64_t>(x);
    return true;
  }
  bool Bool(bool* v) {
    uint8_t x;
    if (!U8(&x)) return false;
    *v = x != 0;
    return true;
  }
  bool Str(std::string* s) {
    if (in_.size() < 4) return false;
    uint32_t n;
    memcpy(&n, in_.data(), 4);
    in_.remove_prefix(4);
    if (in_.size() < n) return false;
    s->assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }

 private:
  std::string_view in_;
};

}  // namespace

uint16_t JournalKindOf(HostEventKind kind) {
  if (kind == HostEventKind::kExec) return kJournalProcessEvent;
  if (IsSocketEvent(kind)) return kJournalSocketEvent;
  return 0;
}

std::string EncodeProcessEvent(const HostEvent& e,
                               const std::vector<const ProcessRecord*>& ancestors) {
  Encoder enc;
  enc.U8(kFormat);
  for (int64_t v : {e.tid, e.pid, e.ppid, e.uid, e.gid, e.euid, static_cast<int64_t>(e.cgroup_id),
                    e.result, static_cast<int64_t>(e.boot_ns)})
    enc.I64(v);
  enc.U8(e.probe_error ? 1 : 0);
  enc.Str(e.syscall);
  enc.Str(e.exe);
  enc.Str(e.exec_path);
  enc.Str(e.cwd);
  enc.I64(static_cast<int64_t>(e.argv.size()));
  for (const std::string& a : e.argv) enc.Str(a);
  enc.Str(ancestors.empty() ? std::string_view() : std::string_view(ancestors.front()->exe));
  enc.I64(static_cast<int64_t>(ancestors.size()));
  for (const ProcessRecord* a : ancestors) {
    enc.I64(a->pid);
    enc.Str(a->exe.empty() ? a->name : a->exe);
  }
  return enc.Take();
}

std::string EncodeSocketEvent(const HostEvent& e) {
  Encoder enc;
  enc.U8(kFormat);
  for (int64_t v : {e.tid, e.pid, e.ppid, e.uid, e.gid, static_cast<int64_t>(e.cgroup_id), e.result,
                    static_cast<int64_t>(e.boot_ns), e.fd,
                    static_cast<int64_t>(e.local.family ? e.local.family : e.remote.family),
                    static_cast<int64_t>(e.socket_type), static_cast<int64_t>(e.protocol),
                    static_cast<int64_t>(e.local.port), static_cast<int64_t>(e.remote.port)})
    enc.I64(v);
  enc.U8(e.probe_error ? 1 : 0);
  enc.Str(e.syscall);
  enc.Str(e.exe);
  enc.Str(e.local.address);
  enc.Str(e.remote.address);
  return enc.Take();
}

bool DecodeProcessEvent(std::string_view payload, StoredProcessEvent* out) {
  Decoder d(payload);
  uint8_t format = 0;
  int64_t cgroup = 0, boot = 0, count = 0;
  if (!d.U8(&format) || format != kFormat) return false;
  if (!d.I64(&out->tid) || !d.I64(&out->pid) || !d.I64(&out->parent) || !d.I64(&out->uid) ||
      !d.I64(&out->gid) || !d.I64(&out->euid) || !d.I64(&cgroup) || !d.I64(&out->result) ||
      !d.I64(&boot) || !d.Bool(&out->probe_error) || !d.Str(&out->syscall) || !d.Str(&out->path) ||
      !d.Str(&out->exec_path) || !d.Str(&out->cwd) || !d.I64(&count))
    return false;
  out->cgroup_id = cgroup;
  out->boot_ns = static_cast<uint64_t>(boot);
  if (count < 0 || static_cast<size_t>(count) > kMaxListItems) return false;
  out->argv.resize(static_cast<size_t>(count));
  for (std::string& a : out->argv)
    if (!d.Str(&a)) return false;
  if (!d.Str(&out->parent_path) || !d.I64(&count) || count < 0 ||
      static_cast<size_t>(count) > kMaxListItems)
    return false;
  out->ancestor_pids.resize(static_cast<size_t>(count));
  out->ancestor_paths.resize(static_cast<size_t>(count));
  for (size_t i = 0; i < static_cast<size_t>(count); ++i)
    if (!d.I64(&out->ancestor_pids[i]) || !d.Str(&out->ancestor_paths[i])) return false;
  return true;
}

bool DecodeSocketEvent(std::string_view payload, StoredSocketEvent* out) {
  Decoder d(payload);
  uint8_t format = 0;
  int64_t boot = 0;
  if (!d.U8(&format) || format != kFormat) return false;
  return d.I64(&out->tid) && d.I64(&out->pid) && d.I64(&out->parent) && d.I64(&out->uid) &&
         d.I64(&out->gid) && d.I64(&out->cgroup_id) && d.I64(&out->result) && d.I64(&boot) &&
         (out->boot_ns = static_cast<uint64_t>(boot), true) && d.I64(&out->fd) &&
         d.I64(&out->family) && d.I64(&out->type) && d.I64(&out->protocol) &&
         d.I64(&out->local_port) && d.I64(&out->remote_port) && d.Bool(&out->probe_error) &&
         d.Str(&out->syscall) && d.Str(&out->path) && d.Str(&out->local_address) &&
         d.Str(&out->remote_address);
}

}  // namespace warden
