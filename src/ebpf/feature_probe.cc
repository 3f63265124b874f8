// Kernel feature detection for the eBPF collector, by doing rather than
// asking: each probe loads a two-instruction program of the program type in
// question and, where it is cheap, attaches it. `bpftool feature probe`
// reports the tracing program type unavailable on our kernels although it
// works, and kprobes, fentry and BPF-LSM can be compiled in yet refused at
// load time, so only a real load is evidence. Probes leave nothing behind.
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/strings.h"
#include "ebpf/event_source.h"

#ifndef WARDEN_HAVE_EBPF
#define WARDEN_HAVE_EBPF 0
#endif

#if WARDEN_HAVE_EBPF
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#endif

namespace warden {

#ifndef WARDEN_EBPF_BUILD_NOTE
#define WARDEN_EBPF_BUILD_NOTE "eBPF collector built in"
#endif

bool BuiltWithEbpf() { return WARDEN_HAVE_EBPF != 0; }
std::string EbpfBuildNote() { return WARDEN_EBPF_BUILD_NOTE; }

namespace {

#if WARDEN_HAVE_EBPF

constexpr const char* kTracefs = "/sys/kernel/tracing";

std::string ErrnoText(int err) { return std::string(strerror(err < 0 ? -err : err)); }

// Mounts tracefs where classic tracepoints expect it, if it is not there.
bool EnsureTracefs(std::string* detail) {
  if (access("/sys/kernel/tracing/events", F_OK) == 0) return true;
  if (geteuid() != 0) {
    *detail = "tracefs is not mounted at /sys/kernel/tracing (root needed to mount it)";
    return false;
  }
  if (mount("tracefs", kTracefs, "tracefs", 0, nullptr) != 0 && errno != EBUSY) {
    *detail = std::string("mounting tracefs at /sys/kernel/tracing failed: ") + strerror(errno);
    return false;
  }
  return access("/sys/kernel/tracing/events", F_OK) == 0;
}

// r0 = 0; exit
const struct bpf_insn kReturnZero[] = {
    {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
    {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
};

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

int LoadProbe(bpf_prog_type type, bpf_attach_type attach, int btf_id) {
  LIBBPF_OPTS(bpf_prog_load_opts, opts);
  opts.expected_attach_type = attach;
  opts.attach_btf_id = btf_id > 0 ? static_cast<__u32>(btf_id) : 0;
  return bpf_prog_load(type, "wd_probe", "GPL", kReturnZero, 2, &opts);
}

FeatureProbe ProbeBtfProgram(struct btf* btf, const char* name, const char* symbol, int btf_kind,
                             bpf_prog_type type, bpf_attach_type attach, const char* what) {
  FeatureProbe p{name, false, ""};
  if (btf == nullptr) {
    p.detail = "no kernel BTF";
    return p;
  }
  int id = btf__find_by_name_kind(btf, symbol, btf_kind);
  if (id <= 0) {
    p.detail = std::string(symbol) + " not in kernel BTF";
    return p;
  }
  Fd prog(LoadProbe(type, attach, id));
  if (prog.fd < 0) {
    p.detail = std::string("load refused: ") + ErrnoText(errno);
    return p;
  }
  Fd link(bpf_raw_tracepoint_open(nullptr, prog.fd));
  if (link.fd < 0) {
    p.detail = std::string("loads, attach refused: ") + ErrnoText(errno);
    return p;
  }
  p.available = true;
  p.detail = std::string("loaded and attached to ") + what;
  return p;
}

FeatureProbe ProbeRawTracepoint() {
  FeatureProbe p{"raw_tp", false, ""};
  Fd prog(LoadProbe(BPF_PROG_TYPE_RAW_TRACEPOINT, static_cast<bpf_attach_type>(0), 0));
  if (prog.fd < 0) {
    p.detail = std::string("load refused: ") + ErrnoText(errno);
    return p;
  }
  Fd link(bpf_raw_tracepoint_open("sched_process_exec", prog.fd));
  if (link.fd < 0) {
    p.detail = std::string("attach refused: ") + ErrnoText(errno);
    return p;
  }
  p.available = true;
  p.detail = "loaded and attached to sched_process_exec";
  return p;
}

FeatureProbe ProbeClassicTracepoint() {
  FeatureProbe p{"tracepoint", false, ""};
  if (!EnsureTracefs(&p.detail)) return p;
  std::string id_text;
  {
    Fd f(open("/sys/kernel/tracing/events/sched/sched_process_exec/id", O_RDONLY | O_CLOEXEC));
    char buf[32] = {};
    if (f.fd < 0 || read(f.fd, buf, sizeof(buf) - 1) <= 0) {
      p.detail = "sched/sched_process_exec has no id in tracefs";
      return p;
    }
    id_text = buf;
  }
  uint64_t id = 0;
  if (!ParseUint64(TrimWhitespace(id_text), &id)) {
    p.detail = "unreadable tracepoint id";
    return p;
  }
  Fd prog(LoadProbe(BPF_PROG_TYPE_TRACEPOINT, static_cast<bpf_attach_type>(0), 0));
  if (prog.fd < 0) {
    p.detail = std::string("load refused: ") + ErrnoText(errno);
    return p;
  }
  perf_event_attr attr{};
  attr.type = PERF_TYPE_TRACEPOINT;
  attr.size = sizeof(attr);
  attr.config = id;
  attr.sample_period = 1;
  attr.wakeup_events = 1;
  Fd event(static_cast<int>(syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC)));
  if (event.fd < 0) {
    p.detail = std::string("perf_event_open refused: ") + ErrnoText(errno);
    return p;
  }
  if (ioctl(event.fd, PERF_EVENT_IOC_SET_BPF, prog.fd) != 0) {
    p.detail = std::string("attach refused: ") + ErrnoText(errno);
    return p;
  }
  p.available = true;
  p.detail = "loaded and attached to sched:sched_process_exec";
  return p;
}

FeatureProbe ProbeRingBuffer() {
  FeatureProbe p{"ringbuf", false, ""};
  Fd map(bpf_map_create(BPF_MAP_TYPE_RINGBUF, "wd_probe", 0, 0, 4096, nullptr));
  if (map.fd < 0) {
    p.detail = std::string("map creation refused: ") + ErrnoText(errno);
    return p;
  }
  p.available = true;
  p.detail = "ring buffer map created";
  return p;
}

FeatureProbe ProbeKprobe() {
  FeatureProbe p{"kprobe", false, ""};
  if (access("/sys/bus/event_source/devices/kprobe/type", F_OK) != 0) {
    p.detail = "no kprobe PMU in this kernel (/sys/bus/event_source/devices/kprobe)";
    return p;
  }
  Fd prog(LoadProbe(BPF_PROG_TYPE_KPROBE, static_cast<bpf_attach_type>(0), 0));
  if (prog.fd < 0) {
    p.detail = std::string("load refused: ") + ErrnoText(errno);
    return p;
  }
  p.available = true;
  p.detail = "kprobe PMU present and program loads";
  return p;
}

#endif  // WARDEN_HAVE_EBPF

}  // namespace

std::vector<FeatureProbe> ProbeBpfFeatures() {
  std::vector<FeatureProbe> probes;
  bool btf_present = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
  probes.push_back({"btf", btf_present,
                    btf_present ? "/sys/kernel/btf/vmlinux"
                                : "no /sys/kernel/btf/vmlinux: CO-RE cannot relocate"});
#if WARDEN_HAVE_EBPF
  struct btf* btf = btf_present ? btf__load_vmlinux_btf() : nullptr;
  if (btf != nullptr && libbpf_get_error(btf) != 0) btf = nullptr;
  probes.push_back(ProbeRingBuffer());
  probes.push_back(ProbeBtfProgram(btf, "tp_btf", "btf_trace_sched_process_exec", BTF_KIND_TYPEDEF,
                                   BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, "sched_process_exec"));
  probes.push_back(ProbeRawTracepoint());
  probes.push_back(ProbeClassicTracepoint());
  probes.push_back(ProbeBtfProgram(btf, "fentry", "do_exit", BTF_KIND_FUNC, BPF_PROG_TYPE_TRACING,
                                   BPF_TRACE_FENTRY, "do_exit"));
  probes.push_back(ProbeBtfProgram(btf, "lsm", "bpf_lsm_file_open", BTF_KIND_FUNC,
                                   BPF_PROG_TYPE_LSM, BPF_LSM_MAC, "file_open"));
  probes.push_back(ProbeKprobe());
  if (btf != nullptr) btf__free(btf);
#else
  for (const char* name : {"ringbuf", "tp_btf", "raw_tp", "tracepoint", "fentry", "lsm", "kprobe"})
    probes.push_back({name, false, "not probed: " + EbpfBuildNote()});
#endif
  return probes;
}

}  // namespace warden
