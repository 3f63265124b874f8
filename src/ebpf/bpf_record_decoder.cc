#include "ebpf/bpf_record_decoder.h"

#include <cstring>
#include <vector>

#include "ebpf/bpf/event_abi.h"

namespace warden {

namespace {

struct SyscallName {
  long nr;
  std::string_view name;
};

#if defined(__x86_64__)
constexpr SyscallName kSyscalls[] = {{2, "open"},           {42, "connect"},   {43, "accept"},
                                     {49, "bind"},          {50, "listen"},    {59, "execve"},
                                     {85, "creat"},         {105, "setuid"},   {106, "setgid"},
                                     {113, "setreuid"},     {114, "setregid"}, {117, "setresuid"},
                                     {119, "setresgid"},    {122, "setfsuid"}, {123, "setfsgid"},
                                     {175, "init_module"},  {257, "openat"},   {288, "accept4"},
                                     {313, "finit_module"}, {322, "execveat"}, {437, "openat2"}};
#elif defined(__aarch64__)
constexpr SyscallName kSyscalls[] = {
    {203, "connect"},      {202, "accept"},      {200, "bind"},      {201, "listen"},
    {221, "execve"},       {146, "setuid"},      {144, "setgid"},    {145, "setreuid"},
    {143, "setregid"},     {147, "setresuid"},   {149, "setresgid"}, {151, "setfsuid"},
    {152, "setfsgid"},     {105, "init_module"}, {56, "openat"},     {242, "accept4"},
    {273, "finit_module"}, {281, "execveat"},    {437, "openat2"}};
#else
constexpr SyscallName kSyscalls[] = {{-1, ""}};
#endif

template <typename T>
bool Fits(size_t size) {
  return size >= sizeof(T);
}

// Records carry variable data after a fixed prefix; this is the prefix size.
template <typename T>
constexpr size_t FixedPart() {
  return offsetof(T, data);
}

void FillHeader(const wd_header& h, const BootClock& clock, HostEvent* out) {
  out->boot_ns = h.boot_ns;
  out->time_ns = clock.WallFromBoot(h.boot_ns);
  out->pid = h.pid;
  out->tid = h.tid;
  out->ppid = h.ppid;
  out->uid = h.uid;
  out->gid = h.gid;
  out->euid = h.euid;
  out->egid = h.egid;
  out->cgroup_id = h.cgroup_id;
  out->comm.assign(h.comm, strnlen(h.comm, sizeof(h.comm)));
}

std::string_view CString(std::string_view bytes) {
  size_t nul = bytes.find('\0');
  return nul == std::string_view::npos ? bytes : bytes.substr(0, nul);
}

Endpoint MakeEndpoint(const wd_endpoint& ep) {
  Endpoint e;
  if (ep.family != 2 && ep.family != 10) return e;
  e.family = ep.family;
  e.port = ep.port;
  e.address = FormatIpAddress(ep.family, ep.addr);
  return e;
}

StdioKind ToStdio(uint8_t kind) {
  return kind <= static_cast<uint8_t>(StdioKind::kOther) ? static_cast<StdioKind>(kind)
                                                         : StdioKind::kUnknown;
}

bool DecodeExec(const uint8_t* data, size_t size, HostEvent* out) {
  if (size < FixedPart<wd_exec_event>()) return false;
  wd_exec_event e;
  memcpy(&e, data, FixedPart<wd_exec_event>());
  const size_t var = size - FixedPart<wd_exec_event>();
  const size_t total = size_t{e.exe_bytes} + e.filename_bytes + e.cwd_bytes + e.argv_bytes;
  if (total > var) return false;
  std::string_view bytes(reinterpret_cast<const char*>(data) + FixedPart<wd_exec_event>(), total);
  std::string_view exe = bytes.substr(0, e.exe_bytes);
  std::string_view filename = CString(bytes.substr(e.exe_bytes, e.filename_bytes));
  std::string_view cwd = bytes.substr(size_t{e.exe_bytes} + e.filename_bytes, e.cwd_bytes);
  std::string_view argv =
      bytes.substr(size_t{e.exe_bytes} + e.filename_bytes + e.cwd_bytes, e.argv_bytes);
  out->kind = HostEventKind::kExec;
  out->syscall = std::string(WatchedSyscallName(e.syscall_nr));
  if (out->syscall.empty()) out->syscall = "execve";
  out->exe = AssembleLeafFirstPath(exe, e.flags & WD_EXEC_EXE_TRUNCATED);
  out->cwd = AssembleLeafFirstPath(cwd, e.flags & WD_EXEC_CWD_TRUNCATED);
  out->exec_path = AbsolutePath(filename, out->cwd);
  out->argv.clear();
  while (!argv.empty()) {
    size_t nul = argv.find('\0');
    out->argv.emplace_back(argv.substr(0, nul));
    if (nul == std::string_view::npos) break;
    argv.remove_prefix(nul + 1);
  }
  out->exe_deleted = (e.flags & WD_EXEC_EXE_DELETED) != 0;
  out->exe_setid = (e.flags & WD_EXEC_SETID_FILE) != 0;
  out->probe_error =
      (e.flags & (WD_EXEC_EXE_TRUNCATED | WD_EXEC_CWD_TRUNCATED | WD_EXEC_ARGV_TRUNCATED)) != 0;
  for (size_t i = 0; i < 3; ++i) {
    out->stdio[i] = ToStdio(e.stdio[i]);
    out->parent_stdio[i] = ToStdio(e.parent_stdio[i]);
  }
  if (e.flags & WD_EXEC_HAS_PEER) out->stdio_peer = MakeEndpoint(e.stdio_peer);
  out->start_boot_ns = e.start_boot_ns;
  out->result = 0;
  return true;
}

}  // namespace

std::string_view WatchedSyscallName(long nr) {
  for (const SyscallName& s : kSyscalls)
    if (s.nr == nr) return s.name;
  return "";
}

std::string AssembleLeafFirstPath(std::string_view components, bool truncated) {
  std::vector<std::string_view> parts;
  while (!components.empty()) {
    size_t nul = components.find('\0');
    std::string_view part = components.substr(0, nul);
    if (!part.empty()) parts.push_back(part);
    if (nul == std::string_view::npos) break;
    components.remove_prefix(nul + 1);
  }
  std::string out = truncated ? "..." : "";
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    out += '/';
    out += *it;
  }
  if (out.empty()) out = "/";
  return out;
}

bool DecodeBpfRecord(const void* raw, size_t size, const BootClock& clock, HostEvent* out) {
  *out = HostEvent();
  const auto* data = static_cast<const uint8_t*>(raw);
  if (size < sizeof(wd_header)) return false;
  wd_header h;
  memcpy(&h, data, sizeof(h));
  if (h.size > size) return false;
  size = h.size;
  FillHeader(h, clock, out);
  out->origin = EventOrigin::kEbpf;
  switch (h.kind) {
    case WD_EVENT_EXEC:
      return DecodeExec(data, size, out);
    case WD_EVENT_EXIT: {
      if (!Fits<wd_exit_event>(size)) return false;
      wd_exit_event e;
      memcpy(&e, data, sizeof(e));
      out->kind = HostEventKind::kExit;
      out->exit_status = e.exit_code;
      out->duration_ns = static_cast<int64_t>(e.duration_ns);
      return true;
    }
    case WD_EVENT_FORK: {
      if (!Fits<wd_fork_event>(size)) return false;
      out->kind = HostEventKind::kFork;
      out->start_boot_ns = h.boot_ns;
      return true;
    }
    case WD_EVENT_SOCKET: {
      if (!Fits<wd_socket_event>(size)) return false;
      wd_socket_event e;
      memcpy(&e, data, sizeof(e));
      std::string_view name = WatchedSyscallName(e.syscall_nr);
      if (name == "connect")
        out->kind = HostEventKind::kConnect;
      else if (name == "accept" || name == "accept4")
        out->kind = HostEventKind::kAccept;
      else if (name == "bind")
        out->kind = HostEventKind::kBind;
      else if (name == "listen")
        out->kind = HostEventKind::kListen;
      else
        return false;
      out->syscall = std::string(name);
      out->result = e.ret;
      out->fd = e.fd;
      out->socket_type = e.type;
      out->protocol = e.protocol;
      out->local = MakeEndpoint(e.local);
      out->remote = MakeEndpoint(e.remote);
      return true;
    }
    case WD_EVENT_SETID: {
      if (!Fits<wd_setid_event>(size)) return false;
      wd_setid_event e;
      memcpy(&e, data, sizeof(e));
      out->kind = HostEventKind::kSetId;
      out->syscall = std::string(WatchedSyscallName(e.syscall_nr));
      out->result = e.ret;
      for (size_t i = 0; i < 3; ++i) out->setid_args[i] = e.args[i];
      out->suid = e.suid;
      out->fsuid = e.fsuid;
      out->sgid = e.sgid;
      out->fsgid = e.fsgid;
      return true;
    }
    case WD_EVENT_OPEN: {
      if (!Fits<wd_open_event>(size)) return false;
      wd_open_event e;
      memcpy(&e, data, sizeof(e));
      out->kind = HostEventKind::kOpen;
      out->syscall = std::string(WatchedSyscallName(e.syscall_nr));
      out->result = e.ret;
      out->open_flags = static_cast<uint32_t>(e.flags);
      out->path = std::string(CString(std::string_view(e.path, sizeof(e.path))));
      return true;
    }
    case WD_EVENT_MODULE: {
      if (size < FixedPart<wd_module_event>()) return false;
      wd_module_event e;
      memcpy(&e, data, FixedPart<wd_module_event>());
      if (e.path_bytes > size - FixedPart<wd_module_event>()) return false;
      out->kind = HostEventKind::kModuleLoad;
      out->syscall = std::string(WatchedSyscallName(e.syscall_nr));
      out->result = e.ret;
      std::string_view comps(reinterpret_cast<const char*>(data) + FixedPart<wd_module_event>(),
                             e.path_bytes);
      if (!comps.empty()) out->path = AssembleLeafFirstPath(comps, e.flags & WD_EXEC_EXE_TRUNCATED);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace warden
