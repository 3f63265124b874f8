// HostEventSource is where host events come from: the eBPF collector when
// the kernel accepts it (tier "ebpf"), otherwise the fallback of the proc
// connector and fanotify (tier "fallback"), which sees less and says so in
// its status. OpenHostEventSource picks the best tier that works on this
// host, trying each for real (the programs are loaded and attached; probes
// that merely ask the kernel are not trusted) and recording why a tier was
// not used.
//
// Contract: a source is started when returned and stopped by its destructor
// (hooks detached, descriptors closed). Poll and Status are called from one
// thread (the owner's); Poll never throws and calls `deliver` on that thread.
// The source filters out the events of its own process.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "ebpf/host_event.h"

namespace warden {

// Paths whose opens are reported (prefix match on the absolute path).
std::vector<std::string> DefaultSensitivePathPrefixes();

// How the eBPF tier sees socket calls, set*id and sensitive opens.
enum class SyscallEventMode : uint8_t {
  // cgroup connect/bind hooks, inet_sock_set_state (listen, accept) and
  // fanotify marks on the sensitive files: nothing runs on unrelated
  // syscalls. set*id is seen as a change of a process's credentials at its
  // next exec, fork, exit or socket event; connect is reported when it
  // starts (no return value).
  kHooks,
  // One sys_exit tracepoint: exact syscall names and return values, failed
  // attempts, set*id calls as they happen. Any syscall tracepoint moves every
  // task on the host to the kernel's slow syscall path (~90 ns a syscall on
  // our VMs), so this is opt-in.
  kDispatcher,
  kOff,  // exec, fork and exit only
};
std::string_view SyscallEventModeName(SyscallEventMode mode);  // "hooks", "dispatcher", "off"
std::optional<SyscallEventMode> ParseSyscallEventMode(std::string_view name);

struct CollectorOptions {
  bool allow_ebpf = true;      // false: skip straight to the fallback (--no-ebpf, WARDEN_EBPF=off)
  bool allow_fallback = true;  // false: fail when eBPF cannot be used
  SyscallEventMode syscall_events = SyscallEventMode::kHooks;  // --syscall-events
  std::vector<std::string> sensitive_prefixes = DefaultSensitivePathPrefixes();
  uint64_t ring_buffer_bytes = 8u << 20;  // eBPF ring buffer (a power of two)
  int64_t exclude_pid = 0;                // 0: this process
};

// Applies WARDEN_EBPF=off|0|false|no (forces the fallback) to the options.
void ApplyEnvironment(CollectorOptions* options);

struct FeatureProbe {
  std::string
      name;  // "btf", "tp_btf", "raw_tp", "tracepoint", "ringbuf", "fentry", "lsm", "kprobe"
  bool available = false;
  std::string detail;  // why not, or what was tested
};

struct HookStatus {
  std::string name;  // "sched_process_exec"
  std::string kind;  // "tp_btf", "proc_connector", "fanotify", ...
  bool attached = false;
  std::string events;  // what it produces: "exec", "connect, accept, bind, listen", ...
};

struct CollectorStatus {
  std::string tier;         // "ebpf", "fallback"
  std::string tier_detail;  // one line: what is in use and, for the fallback, why eBPF is not
  std::vector<HookStatus> hooks;
  std::vector<FeatureProbe> probes;
  // What this tier does not see, in words (empty for the full eBPF tier on a
  // kernel with every hook).
  std::vector<std::string> coverage_gaps;
  std::map<std::string, uint64_t> events;  // delivered, by kind name
  std::map<std::string, uint64_t> drops;   // lost, by reason (zero reasons are listed too)
  std::map<std::string, uint64_t> notes;   // other counters (truncations, filtered self events)
};

class HostEventSource {
 public:
  virtual ~HostEventSource() = default;
  // Waits up to `timeout` for events, then delivers every event pending
  // (possibly many; none when the wait ends empty). Returns the number
  // delivered, or an error when the source broke (it should be reopened).
  virtual Result<size_t> Poll(std::chrono::milliseconds timeout,
                              const std::function<void(HostEvent&)>& deliver) = 0;
  virtual CollectorStatus Status() const = 0;
  // False when set*id calls are not observed as such and the pipeline is to
  // infer them from the credentials each event carries (hooks mode).
  virtual bool ObservesSetIdCalls() const { return true; }
};

// The best source this host supports, started. Errors name every tier's
// reason ("eBPF: ...; fallback: ...").
Result<std::unique_ptr<HostEventSource>> OpenHostEventSource(const CollectorOptions& options);

// The individual tiers (OpenHostEventSource tries them in this order).
Result<std::unique_ptr<HostEventSource>> OpenBpfEventSource(const CollectorOptions& options);
Result<std::unique_ptr<HostEventSource>> OpenFallbackEventSource(const CollectorOptions& options,
                                                                 std::string why_not_ebpf);

// Kernel features, each tested by loading (and attaching) a tiny program.
// Mounts tracefs at /sys/kernel/tracing when it is missing and we are root
// (classic tracepoints need it).
std::vector<FeatureProbe> ProbeBpfFeatures();
// Whether this binary was built with the eBPF collector, and if not why.
bool BuiltWithEbpf();
std::string EbpfBuildNote();

// Wall-clock nanoseconds for a CLOCK_BOOTTIME (or CLOCK_MONOTONIC) reading,
// from an offset sampled now (events are converted within a second of
// happening, so clock steps between are negligible).
class BootClock {
 public:
  BootClock();
  void Resync();
  int64_t WallFromBoot(uint64_t boot_ns) const {
    return static_cast<int64_t>(boot_ns) + boot_offset_;
  }
  int64_t WallFromMonotonic(uint64_t mono_ns) const {
    return static_cast<int64_t>(mono_ns) + mono_offset_;
  }
  static uint64_t NowBoot();

 private:
  int64_t boot_offset_ = 0;
  int64_t mono_offset_ = 0;
};

}  // namespace warden
