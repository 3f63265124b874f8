// The fallback tier of the host event source, for hosts where eBPF cannot be
// loaded (no BTF, no privilege for BPF, a locked-down kernel, a build without
// clang/bpftool). It combines what the kernel offers without BPF:
//   - the proc connector (netlink): fork, exec, exit and uid/gid changes of
//     every process, with pids only - details are read from /proc afterwards;
//   - fanotify FAN_OPEN_EXEC on every real filesystem: the path of every
//     executed file, even for processes gone before /proc is read;
//   - fanotify FAN_OPEN on the sensitive files that exist at start-up;
//   - a poll of /proc/net/tcp{,6} every two seconds for new listening sockets.
// What this misses is listed, in words, in Status().coverage_gaps, which
// `warden events status` prints: the fallback is never a silent gap.
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/fanotify.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include "core/strings.h"
#include "ebpf/event_source.h"
#include "ebpf/proc_lookup.h"
#include "ebpf/sensitive_open_watch.h"
#include "rules/string_match.h"
#include "tables/proc_reader.h"
#include "tables/proc_sockets.h"

namespace warden {

namespace {

constexpr int64_t kListenerPollNs = 2'000'000'000;

int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::string StripDeleted(std::string path) {
  if (EndsWith(path, " (deleted)")) path.resize(path.size() - 10);
  return path;
}

// Pseudo filesystems hold nothing executable worth a fanotify mark.
bool IsPseudoFilesystem(std::string_view type) {
  static const std::set<std::string_view> kPseudo = {
      "proc",        "sysfs", "cgroup",    "cgroup2",  "devpts",     "securityfs", "debugfs",
      "tracefs",     "bpf",   "mqueue",    "pstore",   "configfs",   "fusectl",    "autofs",
      "binfmt_misc", "nsfs",  "hugetlbfs", "efivarfs", "rpc_pipefs", "selinuxfs",  "devtmpfs"};
  return kPseudo.count(type) > 0;
}

class FallbackEventSource : public HostEventSource {
 public:
  explicit FallbackEventSource(std::string why_not_ebpf) : why_not_ebpf_(std::move(why_not_ebpf)) {}
  ~FallbackEventSource() override {
    if (netlink_fd_ >= 0) close(netlink_fd_);
    if (fanotify_fd_ >= 0) close(fanotify_fd_);
  }

  warden::Status Init(const CollectorOptions& options) {
    self_ = options.exclude_pid > 0 ? options.exclude_pid : getpid();
    warden::Status proc = OpenProcConnector();
    warden::Status fan = OpenFanotify();
    if (fan.ok()) fan = opens_.Open(options.sensitive_prefixes, self_);
    if (!proc.ok() && !fan.ok())
      return Unavailable("proc connector: " + proc.message() + "; fanotify: " + fan.message());
    hooks_.push_back({"proc connector (netlink)", "proc_connector", proc.ok(),
                      proc.ok() ? "fork, exec, exit, setid" : proc.message()});
    hooks_.push_back({"fanotify FAN_OPEN_EXEC on " + std::to_string(exec_marks_) + " filesystems",
                      "fanotify", fan.ok() && exec_marks_ > 0, "exec paths"});
    hooks_.push_back({"fanotify FAN_OPEN on " + std::to_string(opens_.marks()) + " sensitive files",
                      "fanotify", fan.ok() && opens_.marks() > 0, "open"});
    hooks_.push_back({"/proc/net/tcp{,6} poll every 2 s", "proc_poll", true, "listen"});
    PollListeners(/*baseline=*/true);

    gaps_.push_back("eBPF is not in use: " + why_not_ebpf_);
    if (!proc.ok())
      gaps_.push_back("no process lifecycle events: proc connector unavailable (" + proc.message() +
                      ")");
    if (!fan.ok())
      gaps_.push_back("no exec paths or sensitive opens: fanotify unavailable (" + fan.message() +
                      ")");
    gaps_.push_back(
        "connect/accept/bind: not collected; new listening sockets are polled every 2 s "
        "(host network namespace only; short-lived listeners are missed)");
    gaps_.push_back(
        "exec details (argv, cwd, ids, stdio) are read from /proc after the exec: a process that "
        "exits within microseconds keeps only its pid and executable path");
    gaps_.push_back(
        "set*id: the proc connector reports the resulting ids only (no syscall name, no failed "
        "attempts)");
    gaps_.push_back(
        "sensitive opens: a file created or replaced is watched within 5 s (marks renewed); read "
        "vs write is "
        "unknown");
    gaps_.push_back("kernel module loads and memfd executions are not seen by fanotify");
    return Status::Ok();
  }

  Result<size_t> Poll(std::chrono::milliseconds timeout,
                      const std::function<void(HostEvent&)>& deliver) override {
    pollfd fds[3];
    nfds_t n = 0;
    if (fanotify_fd_ >= 0) fds[n++] = {fanotify_fd_, POLLIN, 0};
    if (opens_.fd() >= 0) fds[n++] = {opens_.fd(), POLLIN, 0};
    if (netlink_fd_ >= 0) fds[n++] = {netlink_fd_, POLLIN, 0};
    int wait_ms = static_cast<int>(timeout.count());
    int64_t until_listener_poll = (next_listener_poll_ - MonotonicNs()) / 1000000;
    if (until_listener_poll < wait_ms)
      wait_ms = static_cast<int>(std::max<int64_t>(until_listener_poll, 0));
    if (::poll(fds, n, wait_ms) < 0 && errno != EINTR) return ErrnoStatus("poll", errno);
    size_t delivered = 0;
    // fanotify first: an exec's FAN_OPEN_EXEC is queued before the proc
    // connector's exec notification, and the exec handler wants the path.
    DrainFanotify(deliver, &delivered);
    DrainProcConnector(deliver, &delivered);
    if (MonotonicNs() >= next_listener_poll_) delivered += PollListeners(false, &deliver);
    if (++polls_ % 64 == 0) clock_.Resync();
    return delivered;
  }

  CollectorStatus Status() const override {
    CollectorStatus s;
    s.tier = "fallback";
    s.tier_detail =
        "proc connector + fanotify + /proc/net polling (reduced coverage; eBPF not in use: " +
        why_not_ebpf_ + ")";
    s.hooks = hooks_;
    s.probes = ProbeSummary();
    s.coverage_gaps = gaps_;
    for (size_t k = 0; k < kHostEventKindCount; ++k)
      s.events[std::string(HostEventKindName(static_cast<HostEventKind>(k)))] = delivered_[k];
    s.drops["netlink_overflow"] = netlink_overflows_;
    s.drops["fanotify_queue_overflow"] = fanotify_overflows_ + opens_.overflows();
    s.notes["exec_details_missing"] = exec_details_missing_;
    s.notes["own_events_filtered"] = own_filtered_ + opens_.own_filtered();
    return s;
  }

 private:
  std::vector<FeatureProbe> ProbeSummary() const { return {{"ebpf", false, why_not_ebpf_}}; }

  warden::Status OpenProcConnector() {
    int fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
    if (fd < 0) return ErrnoStatus("netlink connector socket", errno);
    int rcvbuf = 8 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    addr.nl_groups = CN_IDX_PROC;
    addr.nl_pid = 0;  // let the kernel pick a port id
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      int e = errno;
      close(fd);
      return ErrnoStatus("binding the proc connector", e);
    }
    // nlmsghdr | cn_msg | op, laid out by hand (cn_msg ends in a flexible array).
    alignas(nlmsghdr) char request[NLMSG_SPACE(sizeof(cn_msg) + sizeof(uint32_t))] = {};
    auto* header = reinterpret_cast<nlmsghdr*>(request);
    header->nlmsg_len = NLMSG_LENGTH(sizeof(cn_msg) + sizeof(uint32_t));
    header->nlmsg_type = NLMSG_DONE;
    header->nlmsg_pid = 0;
    auto* message = static_cast<cn_msg*>(NLMSG_DATA(header));
    message->id.idx = CN_IDX_PROC;
    message->id.val = CN_VAL_PROC;
    message->len = sizeof(uint32_t);
    uint32_t op = PROC_CN_MCAST_LISTEN;
    memcpy(message->data, &op, sizeof(op));
    if (send(fd, request, header->nlmsg_len, 0) < 0) {
      int e = errno;
      close(fd);
      return ErrnoStatus("subscribing to the proc connector", e);
    }
    netlink_fd_ = fd;
    return Status::Ok();
  }

  warden::Status OpenFanotify() {
    int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK,
                           O_RDONLY | O_LARGEFILE | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("fanotify_init", errno);
    fanotify_fd_ = fd;
    // One mark per filesystem (superblock), on one of its mount points.
    std::set<std::string> devices;
    for (const MountInfoEntry& m : ReadMountInfo(proc_fs_)) {
      if (IsPseudoFilesystem(m.fs_type) || !devices.insert(m.device).second) continue;
      if (fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN_EXEC, AT_FDCWD,
                        m.mount_point.c_str()) == 0 ||
          fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_OPEN_EXEC, AT_FDCWD,
                        m.mount_point.c_str()) == 0)
        ++exec_marks_;
    }
    return Status::Ok();
  }

  void DrainFanotify(const std::function<void(HostEvent&)>& deliver, size_t* delivered) {
    if (fanotify_fd_ >= 0) {
      fanotify_overflows_ +=
          ReadFanotifyEvents(fanotify_fd_, [&](uint64_t mask, int64_t pid, std::string path) {
            if (pid == self_) {
              ++own_filtered_;
            } else if (mask & FAN_OPEN_EXEC) {
              exec_paths_.try_emplace(pid, std::move(path));  // the first one: the file executed
              if (exec_paths_.size() > 65536) exec_paths_.clear();
            }
          });
    }
    opens_.Drain(clock_, [&](HostEvent& e) {
      e.exe = StripDeleted(ReadLinkOrEmpty("/proc/" + std::to_string(e.pid) + "/exe"));
      Deliver(e, deliver, delivered);
    });
  }

  void DrainProcConnector(const std::function<void(HostEvent&)>& deliver, size_t* delivered) {
    if (netlink_fd_ < 0) return;
    alignas(nlmsghdr) char buf[64 * 1024];
    for (;;) {
      ssize_t len = recv(netlink_fd_, buf, sizeof(buf), 0);
      if (len < 0) {
        if (errno == ENOBUFS) {
          ++netlink_overflows_;
          continue;
        }
        return;
      }
      if (len == 0) return;
      for (auto* nh = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(nh, static_cast<unsigned>(len));
           nh = NLMSG_NEXT(nh, len)) {
        if (nh->nlmsg_type == NLMSG_ERROR || nh->nlmsg_type == NLMSG_NOOP) continue;
        auto* cn = static_cast<cn_msg*>(NLMSG_DATA(nh));
        if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC ||
            cn->len < offsetof(proc_event, event_data) + 8)
          continue;
        HandleProcEvent(*reinterpret_cast<proc_event*>(cn->data), deliver, delivered);
      }
    }
  }

  void HandleProcEvent(const proc_event& ev, const std::function<void(HostEvent&)>& deliver,
                       size_t* delivered) {
    HostEvent e;
    e.origin = EventOrigin::kProcConnector;
    e.boot_ns = BootClock::NowBoot();
    e.time_ns = clock_.WallFromMonotonic(ev.timestamp_ns);
    switch (ev.what) {
      case proc_event::PROC_EVENT_FORK:
        if (ev.event_data.fork.child_pid != ev.event_data.fork.child_tgid) return;  // a thread
        if (ev.event_data.fork.parent_tgid == self_) {
          ++own_filtered_;
          return;
        }
        e.kind = HostEventKind::kFork;
        e.pid = e.tid = ev.event_data.fork.child_tgid;
        e.ppid = ev.event_data.fork.parent_tgid;
        FillIds(&e);
        break;
      case proc_event::PROC_EVENT_EXEC:
        e.kind = HostEventKind::kExec;
        e.pid = ev.event_data.exec.process_tgid;
        e.tid = ev.event_data.exec.process_pid;
        e.syscall = "execve";
        if (e.pid == self_) {
          ++own_filtered_;
          return;
        }
        FillFromProc(&e, /*exec=*/true);
        break;
      case proc_event::PROC_EVENT_EXIT:
        if (ev.event_data.exit.process_pid != ev.event_data.exit.process_tgid) return;
        e.kind = HostEventKind::kExit;
        e.pid = e.tid = ev.event_data.exit.process_tgid;
        e.exit_status = ev.event_data.exit.exit_code;
        if (e.pid == self_) return;
        exec_paths_.erase(e.pid);
        break;
      case proc_event::PROC_EVENT_UID:
        e.kind = HostEventKind::kSetId;
        e.pid = ev.event_data.id.process_tgid;
        e.tid = ev.event_data.id.process_pid;
        if (e.pid == self_) return;
        e.syscall = "setuid";  // the connector does not say which call
        FillIds(&e);
        e.uid = ev.event_data.id.r.ruid;
        e.euid = ev.event_data.id.e.euid;
        break;
      default:
        return;
    }
    Deliver(e, deliver, delivered);
  }

  bool FillIds(HostEvent* e) { return FillIdsFromProc(proc_fs_, e); }

  StdioKind StdioOf(int64_t pid, int fd, Endpoint* peer) {
    std::string target =
        ReadLinkOrEmpty("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd));
    if (target.empty()) return StdioKind::kUnknown;
    uint64_t inode = 0;
    if (ParseBracketedInode(target, "socket:", &inode)) {
      for (const auto& [file, family, protocol] :
           {std::tuple{"net/tcp", kFamilyInet, kProtocolTcp},
            std::tuple{"net/tcp6", kFamilyInet6, kProtocolTcp},
            std::tuple{"net/udp", kFamilyInet, kProtocolUdp},
            std::tuple{"net/udp6", kFamilyInet6, kProtocolUdp}}) {
        auto text = proc_fs_.ReadFile(ProcPidPath(pid, file), 4 << 20);
        if (!text.ok()) continue;
        std::vector<SocketEntry> sockets;
        ParseInetSocketTable(*text, family, protocol, 0, &sockets);
        for (const SocketEntry& s : sockets) {
          if (s.inode != inode) continue;
          if (peer->family == 0) {
            peer->family = family;
            peer->address = s.remote_address;
            peer->port = s.remote_port;
          }
          return StdioKind::kInetSocket;
        }
      }
      return StdioKind::kUnixSocket;  // most likely; the fallback does not read /proc/net/unix
    }
    if (StartsWith(target, "pipe:")) return StdioKind::kPipe;
    if (StartsWith(target, "/dev/")) return StdioKind::kCharDevice;
    if (StartsWith(target, "/")) return StdioKind::kFile;
    return StdioKind::kOther;
  }

  void FillFromProc(HostEvent* e, bool exec) {
    const std::string base = "/proc/" + std::to_string(e->pid);
    bool alive = FillIds(e);
    e->exe = StripDeleted(ReadLinkOrEmpty(base + "/exe"));
    if (!exec) return;
    auto fan = exec_paths_.find(e->pid);
    if (fan != exec_paths_.end()) {
      e->exec_path = fan->second;
      if (e->exe.empty()) e->exe = fan->second;
      exec_paths_.erase(fan);
    }
    e->cwd = StripDeleted(ReadLinkOrEmpty(base + "/cwd"));
    if (auto cmdline = proc_fs_.ReadFile(base + "/cmdline", 64 * 1024); cmdline.ok()) {
      std::string_view rest = *cmdline;
      while (!rest.empty()) {
        size_t nul = rest.find('\0');
        e->argv.emplace_back(rest.substr(0, nul));
        if (nul == std::string_view::npos) break;
        rest.remove_prefix(nul + 1);
      }
    }
    if (e->exec_path.empty()) e->exec_path = e->exe;
    for (int fd = 0; fd < 3; ++fd)
      e->stdio[static_cast<size_t>(fd)] = StdioOf(e->pid, fd, &e->stdio_peer);
    if (e->ppid > 0)
      for (int fd = 0; fd < 3; ++fd)
        e->parent_stdio[static_cast<size_t>(fd)] = StdioOf(e->ppid, fd, &e->stdio_peer);
    if (!alive || e->argv.empty()) {
      e->probe_error = true;
      ++exec_details_missing_;
    }
  }

  // Reports TCP listeners that appeared since the last poll.
  size_t PollListeners(bool baseline, const std::function<void(HostEvent&)>* deliver = nullptr) {
    next_listener_poll_ = MonotonicNs() + kListenerPollNs;
    std::vector<SocketEntry> sockets = TcpListeners(proc_fs_);
    std::set<uint64_t> now;
    std::vector<const SocketEntry*> fresh;
    for (const SocketEntry& s : sockets) {
      now.insert(s.inode);
      if (!baseline && listeners_.count(s.inode) == 0) fresh.push_back(&s);
    }
    listeners_.swap(now);
    if (fresh.empty() || deliver == nullptr) return 0;
    std::unordered_map<uint64_t, int64_t> owner = SocketInodeOwners(proc_fs_);
    size_t delivered = 0;
    for (const SocketEntry* s : fresh) {
      HostEvent e;
      e.kind = HostEventKind::kListen;
      e.origin = EventOrigin::kProcPoll;
      e.boot_ns = BootClock::NowBoot();
      e.time_ns = clock_.WallFromBoot(e.boot_ns);
      e.syscall = "listen";
      e.socket_type = 1;
      e.protocol = kProtocolTcp;
      e.local = {s->family, s->local_address, s->local_port};
      auto it = owner.find(s->inode);
      e.pid = it == owner.end() ? -1 : it->second;
      if (e.pid == self_) continue;
      if (e.pid > 0) FillFromProc(&e, false);
      Deliver(e, *deliver, &delivered);
    }
    return delivered;
  }

  void Deliver(HostEvent& e, const std::function<void(HostEvent&)>& deliver, size_t* delivered) {
    ++delivered_[static_cast<size_t>(e.kind)];
    ++*delivered;
    deliver(e);
  }

  std::string why_not_ebpf_;
  HostFs proc_fs_{"/"};
  BootClock clock_;
  int64_t self_ = 0;
  int netlink_fd_ = -1;
  int fanotify_fd_ = -1;
  size_t exec_marks_ = 0;
  SensitiveOpenWatch opens_;
  std::unordered_map<int64_t, std::string> exec_paths_;  // pid -> first FAN_OPEN_EXEC path
  std::set<uint64_t> listeners_;
  int64_t next_listener_poll_ = 0;
  uint64_t polls_ = 0;
  uint64_t delivered_[kHostEventKindCount] = {};
  uint64_t netlink_overflows_ = 0;
  uint64_t fanotify_overflows_ = 0;
  uint64_t exec_details_missing_ = 0;
  uint64_t own_filtered_ = 0;
  std::vector<HookStatus> hooks_;
  std::vector<std::string> gaps_;
};

}  // namespace

Result<std::unique_ptr<HostEventSource>> OpenFallbackEventSource(const CollectorOptions& options,
                                                                 std::string why_not_ebpf) {
  auto source = std::make_unique<FallbackEventSource>(std::move(why_not_ebpf));
  RETURN_IF_ERROR(source->Init(options));
  return std::unique_ptr<HostEventSource>(std::move(source));
}

}  // namespace warden
