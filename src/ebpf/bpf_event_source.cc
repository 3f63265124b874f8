// The eBPF tier of the host event source: loads the CO-RE programs of
// bpf/host_events.bpf.c through their bpftool skeleton - exec/fork/exit
// always, then the socket hooks (default) or the sys_exit dispatcher as
// CollectorOptions::syscall_events says - attaches each hook separately (so
// the status can say exactly which one the kernel refused), seeds the
// listeners map with the TCP listeners that predate it, and drains the ring
// buffer on a timer. In hooks mode it also owns the fanotify watch of the
// sensitive files. The kernel side submits with
// BPF_RB_NO_WAKEUP (a wake-up per event costs tens of microseconds on our
// VMs), so Poll sleeps for its timeout and then consumes everything pending;
// the kernel forces a wake-up only when the buffer passes a quarter full.
// Built only when CMake found clang, bpftool, libbpf and kernel BTF
// (WARDEN_HAVE_EBPF); otherwise OpenBpfEventSource explains why not.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <mutex>

#include "ebpf/bpf_record_decoder.h"
#include "ebpf/event_source.h"
#include "ebpf/proc_lookup.h"
#include "ebpf/sensitive_open_watch.h"

#ifndef WARDEN_HAVE_EBPF
#define WARDEN_HAVE_EBPF 0
#endif

#if WARDEN_HAVE_EBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ebpf/bpf/event_abi.h"
#include "host_events.skel.h"
#endif

namespace warden {

#if WARDEN_HAVE_EBPF

namespace {

// libbpf reports through one process-wide print callback. While we load, its
// messages are collected so a refused program's verifier log ends up in our
// error message instead of on the user's terminal.
std::mutex g_libbpf_log_mutex;
std::string* g_libbpf_log = nullptr;

int CaptureLibbpfLog(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG || g_libbpf_log == nullptr) return 0;
  char line[1024];
  int n = vsnprintf(line, sizeof(line), format, args);
  if (n > 0 && g_libbpf_log->size() < 64 * 1024) g_libbpf_log->append(line);
  return 0;
}

// The last few non-empty lines of a verifier log: where it gave up.
std::string LogTail(const std::string& log, size_t lines) {
  std::vector<std::string_view> all;
  std::string_view rest = log;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty()) all.push_back(line);
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    if (!out.empty()) out += " | ";
    out += all[i];
  }
  return out;
}

struct HookSpec {
  bpf_program* program;
  std::string name;
  std::string kind;  // "tp_btf", "cgroup"
  std::string events;
  bool required;    // without it the tier is not worth using
  std::string gap;  // what is not seen when the kernel refuses it
};

// The cgroup v2 hierarchy's root, where the socket hooks attach (they then
// run for every process of the host's cgroup namespace).
std::string CgroupV2Root() {
  for (const MountInfoEntry& m : ReadMountInfo(HostFs("/")))
    if (m.fs_type == "cgroup2") return m.mount_point;
  return "";
}

class BpfEventSource : public HostEventSource {
 public:
  ~BpfEventSource() override { Unload(); }

  bool ObservesSetIdCalls() const override { return mode_ != SyscallEventMode::kHooks; }

  warden::Status Init(const CollectorOptions& options) {
    probes_ = ProbeBpfFeatures();
    for (const FeatureProbe& p : probes_) {
      if ((p.name == "btf" || p.name == "tp_btf" || p.name == "ringbuf") && !p.available)
        return Unavailable(p.name + " unavailable: " + p.detail);
    }
    // Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK.
    rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    setrlimit(RLIMIT_MEMLOCK, &unlimited);

    std::string log;
    std::lock_guard<std::mutex> lock(g_libbpf_log_mutex);
    g_libbpf_log = &log;
    libbpf_print_fn_t previous = libbpf_set_print(CaptureLibbpfLog);
    warden::Status st = Load(options);
    if (!st.ok() && options.syscall_events == SyscallEventMode::kHooks) {
      // Kernels that refuse the socket hooks (e.g. helpers not allowed in
      // cgroup programs) still get socket events, through the dispatcher.
      std::string why = st.message() + (log.empty() ? "" : ": " + LogTail(log, 4));
      Unload();
      log.clear();
      CollectorOptions dispatcher = options;
      dispatcher.syscall_events = SyscallEventMode::kDispatcher;
      st = Load(dispatcher);
      if (st.ok())
        gaps_.insert(gaps_.begin(),
                     "the kernel refused the socket hooks (" + why +
                         "); using the sys_exit dispatcher instead, which slows every syscall");
    }
    libbpf_set_print(previous);
    g_libbpf_log = nullptr;
    if (!st.ok() && !log.empty()) return Unavailable(st.message() + ": " + LogTail(log, 4));
    return st;
  }

  Result<size_t> Poll(std::chrono::milliseconds timeout,
                      const std::function<void(HostEvent&)>& deliver) override {
    deliver_ = &deliver;
    delivered_now_ = 0;
    int n = ring_buffer__poll(ring_, static_cast<int>(timeout.count()));
    if (n < 0 && n != -EINTR) {
      deliver_ = nullptr;
      return IoError(std::string("eBPF ring buffer: ") + strerror(-n));
    }
    // With BPF_RB_NO_WAKEUP nobody signalled the epoll: consume regardless.
    n = ring_buffer__consume(ring_);
    deliver_ = nullptr;
    if (n < 0 && n != -EINTR) return IoError(std::string("eBPF ring buffer: ") + strerror(-n));
    opens_.Drain(clock_, [&](HostEvent& e) {
      e.tid = e.pid;
      if (e.uid < 0) e.probe_error = true;  // gone before /proc was read
      ++delivered_[static_cast<size_t>(e.kind)];
      ++delivered_now_;
      deliver(e);
    });
    if (++polls_ % 64 == 0) clock_.Resync();
    return delivered_now_;
  }

  CollectorStatus Status() const override {
    CollectorStatus s;
    s.tier = "ebpf";
    s.tier_detail = "eBPF (CO-RE, BTF tracepoints), syscall_events " +
                    std::string(SyscallEventModeName(mode_)) + ", ring buffer of " +
                    std::to_string(ring_bytes_ >> 20) + " MiB drained on a timer";
    s.probes = probes_;
    for (size_t i = 0; i < hooks_.size(); ++i) s.hooks.push_back(hooks_[i]);
    for (size_t k = 0; k < kHostEventKindCount; ++k)
      s.events[std::string(HostEventKindName(static_cast<HostEventKind>(k)))] = delivered_[k];
    std::vector<uint64_t> counters = ReadCounters();
    s.drops["ring_buffer_full"] = counters[WD_COUNT_DROP_RINGBUF_FULL];
    s.drops["no_scratch_memory"] = counters[WD_COUNT_DROP_NO_SCRATCH];
    s.drops["kernel_read_failed"] = counters[WD_COUNT_DROP_READ_FAILED];
    s.drops["undecodable_record"] = decode_errors_;
    if (opens_.fd() >= 0) s.drops["fanotify_queue_overflow"] = opens_.overflows();
    s.drops["program_recursion"] = RecursionMisses(
        {skel_->progs.on_exec, skel_->progs.on_fork, skel_->progs.on_exit, skel_->progs.on_sys_exit,
         skel_->progs.on_connect4, skel_->progs.on_connect6, skel_->progs.on_bind4,
         skel_->progs.on_bind6, skel_->progs.on_sockops});
    // inet_sock_set_state runs nested in softirq context carry no event
    // (host_events.bpf.c): skipping one loses nothing, so it is a note.
    if (mode_ == SyscallEventMode::kHooks)
      s.notes["sock_state_nested_runs_skipped"] = RecursionMisses({skel_->progs.on_sock_state});
    s.notes["truncated_paths"] = counters[WD_COUNT_TRUNCATED_PATH];
    s.notes["truncated_argv"] = counters[WD_COUNT_TRUNCATED_ARGV];
    s.notes["own_events_filtered_in_kernel"] = counters[WD_COUNT_FILTERED_SELF];
    if (opens_.fd() >= 0) s.notes["own_opens_filtered"] = opens_.own_filtered();
    if (mode_ == SyscallEventMode::kHooks) s.notes["listeners_seeded"] = listeners_seeded_;
    uint64_t submitted = 0;
    for (int k = 1; k <= WD_EVENT_MODULE; ++k) submitted += counters[WD_COUNT_SUBMITTED + k];
    s.notes["submitted_by_kernel"] = submitted;
    s.coverage_gaps = gaps_;
    return s;
  }

 private:
  warden::Status Load(const CollectorOptions& options) {
    skel_ = host_events_bpf__open();
    if (skel_ == nullptr)
      return Unavailable(std::string("opening the BPF object failed: ") + strerror(errno));
    ring_bytes_ = options.ring_buffer_bytes;
    if (ring_bytes_ < (1u << 20) || (ring_bytes_ & (ring_bytes_ - 1)) != 0) ring_bytes_ = 8u << 20;
    bpf_map__set_max_entries(skel_->maps.events, static_cast<__u32>(ring_bytes_));
    skel_->rodata->agent_tgid =
        static_cast<__u32>(options.exclude_pid > 0 ? options.exclude_pid : getpid());
    skel_->rodata->wakeup_bytes = static_cast<__u32>(ring_bytes_ / 4);
    bool kernel_has_modules = access("/proc/modules", F_OK) == 0;
    skel_->rodata->watch_modules = kernel_has_modules ? 1 : 0;
    mode_ = options.syscall_events;
    size_t count = 0;  // the dispatcher matches opens against these in the kernel
    for (const std::string& prefix : options.sensitive_prefixes) {
      if (mode_ != SyscallEventMode::kDispatcher) break;  // hooks: fanotify marks (opens_)
      if (prefix.empty() || prefix.front() != '/') continue;
      if (count == WD_MAX_PREFIXES || prefix.size() > WD_PREFIX_LEN) {
        gaps_.push_back("sensitive path prefix not watched (at most " +
                        std::to_string(WD_MAX_PREFIXES) + " prefixes of " +
                        std::to_string(WD_PREFIX_LEN) + " bytes): " + prefix);
        continue;
      }
      skel_->rodata->prefixes[count].len = static_cast<__u32>(prefix.size());
      memcpy(const_cast<char*>(skel_->rodata->prefixes[count].text), prefix.data(), prefix.size());
      ++count;
    }
    skel_->rodata->prefix_count = static_cast<__u32>(count);

    bpf_program* hook_programs[] = {skel_->progs.on_connect4,   skel_->progs.on_connect6,
                                    skel_->progs.on_bind4,      skel_->progs.on_bind6,
                                    skel_->progs.on_sock_state, skel_->progs.on_sockops};
    for (bpf_program* p : hook_programs)
      bpf_program__set_autoload(p, mode_ == SyscallEventMode::kHooks);
    bpf_program__set_autoload(skel_->progs.on_sys_exit, mode_ == SyscallEventMode::kDispatcher);
    int err = host_events_bpf__load(skel_);
    if (err != 0)
      return Unavailable(std::string("the kernel refused the collector's programs (") +
                         strerror(-err) + ")");

    std::vector<HookSpec> specs = {
        {skel_->progs.on_exec, "sched_process_exec", "tp_btf", "exec", true, ""},
        {skel_->progs.on_fork, "sched_process_fork", "tp_btf", "fork", true, ""},
        {skel_->progs.on_exit, "sched_process_exit", "tp_btf", "exit", true, ""},
    };
    if (mode_ == SyscallEventMode::kHooks) {
      std::string root = CgroupV2Root();
      if (!root.empty()) cgroup_fd_ = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (cgroup_fd_ < 0)
        gaps_.push_back(
            "connect and bind: no cgroup v2 hierarchy to attach the socket hooks to" +
            (root.empty() ? std::string() : " (" + root + ": " + strerror(errno) + ")"));
      specs.push_back({skel_->progs.on_connect4, "connect4 (cgroup " + root + ")", "cgroup",
                       "connect (IPv4)", false, "IPv4 connect"});
      specs.push_back({skel_->progs.on_connect6, "connect6 (cgroup " + root + ")", "cgroup",
                       "connect (IPv6)", false, "IPv6 connect"});
      specs.push_back({skel_->progs.on_bind4, "post_bind4 (cgroup " + root + ")", "cgroup",
                       "bind (IPv4)", false, "IPv4 bind"});
      specs.push_back({skel_->progs.on_bind6, "post_bind6 (cgroup " + root + ")", "cgroup",
                       "bind (IPv6)", false, "IPv6 bind"});
      specs.push_back({skel_->progs.on_sock_state, "inet_sock_set_state", "tp_btf", "listen", false,
                       "TCP listen"});
      specs.push_back({skel_->progs.on_sockops, "sockops (cgroup " + root + ")", "cgroup",
                       "accept (owner: the process that called listen)", false, "TCP accept"});
    } else if (mode_ == SyscallEventMode::kDispatcher) {
      specs.push_back({skel_->progs.on_sys_exit,
                       "sys_exit (one dispatcher, in-kernel syscall filter)", "tp_btf",
                       "connect, accept, bind, listen, setid, open, module_load", false,
                       "connect/accept/bind/listen, set*id, open and module"});
    }
    for (const HookSpec& spec : specs) {
      bpf_link* link = nullptr;
      if (spec.kind == "cgroup")
        link = cgroup_fd_ >= 0 ? bpf_program__attach_cgroup(spec.program, cgroup_fd_) : nullptr;
      else
        link = bpf_program__attach(spec.program);
      bool ok = link != nullptr && libbpf_get_error(link) == 0;
      int attach_err = ok ? 0 : (errno != 0 ? errno : ENOENT);
      links_.push_back(ok ? link : nullptr);
      hooks_.push_back({spec.name, spec.kind, ok, spec.events});
      if (!ok && spec.required)
        return Unavailable("attaching tp_btf/" + spec.name + " failed: " + strerror(attach_err));
      if (!ok)
        gaps_.push_back(spec.name + " hook refused (" + strerror(attach_err) + "): no " + spec.gap +
                        " events");
    }
    if (mode_ == SyscallEventMode::kHooks) {
      SeedListeners();
      warden::Status fan = opens_.Open(options.sensitive_prefixes, skel_->rodata->agent_tgid);
      hooks_.push_back(
          {"FAN_OPEN on " + std::to_string(opens_.marks()) + " sensitive files and directories",
           "fanotify", fan.ok() && opens_.marks() > 0, fan.ok() ? "open" : fan.message()});
      gaps_.push_back(
          "syscall_events: hooks - set*id calls are seen as a change of a process's ids at its "
          "next "
          "exec, fork, exit or socket event (syscall name and failed attempts need "
          "syscall_events: dispatcher)");
      gaps_.push_back(
          "syscall_events: hooks - connect is reported as it starts (exit_code 0, no outcome); "
          "accept is attributed to the process that called listen");
      gaps_.push_back(
          "sensitive opens: a file created or replaced (rename over it) is watched within 5 s, "
          "when the marks are "
          "renewed; read vs write is unknown");
      if (kernel_has_modules) gaps_.push_back("module loads need syscall_events: dispatcher");
    } else if (mode_ == SyscallEventMode::kOff) {
      hooks_.push_back(
          {"socket, set*id and open hooks (disabled: syscall_events off)", "-", false, "-"});
      gaps_.push_back(
          "syscall events disabled (syscall_events off): no connect/accept/bind/listen, set*id, "
          "open or module events");
    } else {
      gaps_.push_back("opens: only absolute paths are matched against the sensitive prefixes");
    }
    for (const FeatureProbe& p : probes_) {
      if (p.name == "fentry" || p.name == "lsm" || p.name == "kprobe")
        hooks_.push_back(
            {"optional tier " + p.name, p.name, false,
             p.available ? "available, not needed by this collector" : "unavailable: " + p.detail});
    }
    if (!kernel_has_modules)
      gaps_.push_back(
          "module loads: this kernel has no loadable-module support (/proc/modules absent); "
          "nothing to watch");
    gaps_.push_back("UDP datagrams sent without connect() are not reported");

    ring_ =
        ring_buffer__new(bpf_map__fd(skel_->maps.events), &BpfEventSource::OnRecord, this, nullptr);
    if (ring_ == nullptr)
      return Unavailable(std::string("ring buffer setup failed: ") + strerror(errno));
    counters_fd_ = bpf_map__fd(skel_->maps.counters);
    return Status::Ok();
  }

  static int OnRecord(void* ctx, void* data, size_t size) {
    auto* self = static_cast<BpfEventSource*>(ctx);
    // No exception may cross libbpf's C frames.
    try {
      if (!DecodeBpfRecord(data, size, self->clock_, &self->event_)) {
        ++self->decode_errors_;
        return 0;
      }
      ++self->delivered_[static_cast<size_t>(self->event_.kind)];
      ++self->delivered_now_;
      if (self->deliver_ != nullptr) (*self->deliver_)(self->event_);
    } catch (...) {
      ++self->decode_errors_;
    }
    return 0;
  }

  std::vector<uint64_t> ReadCounters() const {
    std::vector<uint64_t> totals(WD_COUNT_MAX, 0);
    int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0 || counters_fd_ < 0) return totals;
    std::vector<uint64_t> per_cpu(static_cast<size_t>(cpus));
    for (__u32 key = 0; key < WD_COUNT_MAX; ++key) {
      if (bpf_map_lookup_elem(counters_fd_, &key, per_cpu.data()) != 0) continue;
      for (uint64_t v : per_cpu) totals[key] += v;
    }
    return totals;
  }

  // Runs the kernel skipped because a program was already active on the CPU.
  static uint64_t RecursionMisses(std::initializer_list<bpf_program*> programs) {
    uint64_t total = 0;
    for (bpf_program* p : programs) {
      if (bpf_program__fd(p) < 0) continue;  // not loaded in this mode
      bpf_prog_info info{};
      __u32 len = sizeof(info);
      if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len) == 0)
        total += info.recursion_misses;
    }
    return total;
  }

  // Detaches and frees everything Load created (also after a failed Load).
  void Unload() {
    if (ring_ != nullptr) ring_buffer__free(ring_);
    ring_ = nullptr;
    for (bpf_link* link : links_)
      if (link != nullptr) bpf_link__destroy(link);
    links_.clear();
    if (skel_ != nullptr) host_events_bpf__destroy(skel_);
    skel_ = nullptr;
    if (cgroup_fd_ >= 0) close(cgroup_fd_);
    cgroup_fd_ = -1;
    hooks_.clear();
    gaps_.clear();
    listeners_seeded_ = 0;
  }

  // The TCP listeners that exist before the hooks saw their listen():
  // their owners, so that connections they accept are attributed.
  void SeedListeners() {
    uint64_t netns_cookie = 0;
    socklen_t cookie_len = sizeof(netns_cookie);
    int probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool have_cookie = probe >= 0 && getsockopt(probe, SOL_SOCKET, SO_NETNS_COOKIE, &netns_cookie,
                                                &cookie_len) == 0;
    if (probe >= 0) close(probe);
    if (!have_cookie) return;
    std::vector<SocketEntry> listeners = TcpListeners(proc_fs_);
    if (listeners.empty()) return;
    std::unordered_map<uint64_t, int64_t> owners = SocketInodeOwners(proc_fs_);
    int map_fd = bpf_map__fd(skel_->maps.listeners);
    for (const SocketEntry& s : listeners) {
      auto owner = owners.find(s.inode);
      if (owner == owners.end()) continue;
      HostEvent e;
      e.pid = owner->second;
      if (!FillIdsFromProc(proc_fs_, &e)) continue;
      wd_header h{};
      h.pid = h.tid = static_cast<__u32>(e.pid);
      h.ppid = static_cast<__u32>(e.ppid);
      h.uid = static_cast<__u32>(e.uid);
      h.gid = static_cast<__u32>(e.gid);
      h.euid = static_cast<__u32>(e.euid);
      h.egid = static_cast<__u32>(e.egid);
      memcpy(h.comm, e.comm.data(), std::min(e.comm.size(), sizeof(h.comm) - 1));
      wd_listener_key key{};
      key.netns_cookie = netns_cookie;
      key.family = static_cast<__u16>(s.family);
      key.port = static_cast<__u16>(s.local_port);
      if (bpf_map_update_elem(map_fd, &key, &h, BPF_NOEXIST) == 0) ++listeners_seeded_;
    }
  }

  host_events_bpf* skel_ = nullptr;
  SyscallEventMode mode_ = SyscallEventMode::kHooks;
  int cgroup_fd_ = -1;
  SensitiveOpenWatch opens_;
  HostFs proc_fs_{"/"};
  uint64_t listeners_seeded_ = 0;
  ring_buffer* ring_ = nullptr;
  std::vector<bpf_link*> links_;
  int counters_fd_ = -1;
  uint64_t ring_bytes_ = 0;
  BootClock clock_;
  HostEvent event_;
  const std::function<void(HostEvent&)>* deliver_ = nullptr;
  size_t delivered_now_ = 0;
  uint64_t polls_ = 0;
  uint64_t delivered_[kHostEventKindCount] = {};
  uint64_t decode_errors_ = 0;
  std::vector<FeatureProbe> probes_;
  std::vector<HookStatus> hooks_;
  std::vector<std::string> gaps_;
};

}  // namespace

Result<std::unique_ptr<HostEventSource>> OpenBpfEventSource(const CollectorOptions& options) {
  auto source = std::make_unique<BpfEventSource>();
  RETURN_IF_ERROR(source->Init(options));
  return std::unique_ptr<HostEventSource>(std::move(source));
}

#else  // !WARDEN_HAVE_EBPF

Result<std::unique_ptr<HostEventSource>> OpenBpfEventSource(const CollectorOptions&) {
  return Unavailable(EbpfBuildNote());
}

#endif

}  // namespace warden
