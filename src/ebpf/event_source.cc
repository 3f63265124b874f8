#include "ebpf/event_source.h"

#include <time.h>

#include <cstdlib>

#include "core/strings.h"
#include "rules/string_match.h"

namespace warden {

namespace {

int64_t ClockNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

std::vector<std::string> DefaultSensitivePathPrefixes() {
  return {"/etc/shadow",           "/etc/gshadow",       "/etc/sudoers",
          "/etc/security/opasswd", "/etc/ld.so.preload", "/root/.ssh/authorized_keys"};
}

std::string_view SyscallEventModeName(SyscallEventMode mode) {
  switch (mode) {
    case SyscallEventMode::kHooks:
      return "hooks";
    case SyscallEventMode::kDispatcher:
      return "dispatcher";
    case SyscallEventMode::kOff:
      return "off";
  }
  return "";
}

std::optional<SyscallEventMode> ParseSyscallEventMode(std::string_view name) {
  for (SyscallEventMode m :
       {SyscallEventMode::kHooks, SyscallEventMode::kDispatcher, SyscallEventMode::kOff})
    if (name == SyscallEventModeName(m)) return m;
  return std::nullopt;
}

void ApplyEnvironment(CollectorOptions* options) {
  const char* env = getenv("WARDEN_EBPF");
  if (env == nullptr) return;
  std::string v = AsciiLower(env);
  if (v == "off" || v == "0" || v == "false" || v == "no" || v == "disabled")
    options->allow_ebpf = false;
}

BootClock::BootClock() { Resync(); }

void BootClock::Resync() {
  // Sample wall, boot and monotonic clocks as close together as possible;
  // the smallest bracket of three tries wins.
  int64_t best_gap = INT64_MAX;
  for (int i = 0; i < 3; ++i) {
    int64_t before = ClockNs(CLOCK_REALTIME);
    int64_t boot = ClockNs(CLOCK_BOOTTIME);
    int64_t mono = ClockNs(CLOCK_MONOTONIC);
    int64_t after = ClockNs(CLOCK_REALTIME);
    if (after - before < best_gap) {
      best_gap = after - before;
      int64_t wall = before + (after - before) / 2;
      boot_offset_ = wall - boot;
      mono_offset_ = wall - mono;
    }
  }
}

uint64_t BootClock::NowBoot() { return static_cast<uint64_t>(ClockNs(CLOCK_BOOTTIME)); }

Result<std::unique_ptr<HostEventSource>> OpenHostEventSource(const CollectorOptions& options) {
  std::string why_not_ebpf;
  if (options.allow_ebpf) {
    auto bpf = OpenBpfEventSource(options);
    if (bpf.ok()) return bpf;
    why_not_ebpf = bpf.status().message();
  } else {
    why_not_ebpf = "eBPF disabled (--no-ebpf or WARDEN_EBPF=off)";
  }
  if (!options.allow_fallback) return Unavailable("eBPF collector unavailable: " + why_not_ebpf);
  auto fallback = OpenFallbackEventSource(options, why_not_ebpf);
  if (fallback.ok()) return fallback;
  return Unavailable("no host event source works here: eBPF: " + why_not_ebpf +
                     "; fallback: " + fallback.status().message());
}

}  // namespace warden
