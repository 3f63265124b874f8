// HostRuntimeSource runs the continuous detector HOST-RUNTIME: a
// HostEventPipeline on its own thread that
//   - turns the host rules' findings into problems (ProblemRepository::Raise on
//     the state file it is given: opened / reopened events go to `problems`
//     sinks; repeats of an open problem count occurrences);
//   - hands every firing to a RecordRouter as an `events` record (body: the
//     Warden finding JSON with "record": "finding"; syslog severity from the
//     risk level), and, when asked, every host event too.
// Its options come from the detector configs (HOST-RUNTIME's settings; the
// real-time listener rule takes HOST-OPEN-PORTS's allowed TCP ports, so the
// scheduled and the real-time open-ports checks agree). The event journal is
// kept as `warden events watch` keeps it, so the bpf_*_events tables see what
// the source collected.
// This file knows nothing of the agent: src/agent/host_event_source.h makes it
// one of the agent's event sources, with the agent's state file and host
// identifier.
#pragma once

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "delivery/record_router.h"
#include "detectors/detector.h"
#include "detectors/open_ports_detector.h"
#include "ebpf/host_event_pipeline.h"
#include "problems/flood_guard.h"
#include "tables/warden_tables.h"

namespace warden {

struct HostRuntimeOptions {
  HostEventPipelineOptions pipeline;
  bool forward_events = false;  // also route every host event (high volume)
  // The state file problems are kept in; "" = findings are only routed as events.
  std::string problem_store_path;
  std::string host;  // the problems' host identifier
  // Where problems that cannot be tracked or saved are reported; empty = stderr.
  std::function<void(const std::string&)> log;
  // Findings about this program (same device and inode) are skipped: the
  // agent's own binary, so Warden's own commands raise nothing. "" = none.
  std::string exempt_program = "/proc/self/exe";
  // Distinct new conditions per rule per minute before the rest are folded
  // into one summary problem (problems/flood_guard.h).
  size_t flood_limit_per_minute = FloodGuard::kDefaultLimit;
};

// The options the HOST-RUNTIME config `runtime` asks for, on top of `base`;
// nullopt when it is disabled. `open_ports` (may be null) is HOST-OPEN-PORTS's
// config: when enabled, its allowed TCP ports and loopback choice make the
// real-time listener rule. WARDEN_EBPF=off in the environment forces the
// fallback tier.
std::optional<HostRuntimeOptions> HostRuntimeOptionsFor(const DetectorConfig& runtime,
                                                        const DetectorConfig* open_ports,
                                                        HostRuntimeOptions base = {});

// The rule HOST-LISTEN-UNEXPECTED-PORT as YAML, allowing the TCP ports (and
// loopback choice) of the open-ports settings.
std::string ListenRuleForAllowedPorts(const OpenPortsSettings& ports, RiskLevel risk_level);

class HostRuntimeSource {
 public:
  static constexpr std::string_view kName = "host_events";

  explicit HostRuntimeSource(HostRuntimeOptions options) : options_(std::move(options)) {}
  ~HostRuntimeSource() { Stop(); }
  HostRuntimeSource(const HostRuntimeSource&) = delete;
  HostRuntimeSource& operator=(const HostRuntimeSource&) = delete;

  // Starts the pipeline on its own thread; returns once it runs (or failed
  // to start). `router` must outlive Stop().
  Status Start(RecordRouter& router);
  // When it returns, the source no longer calls the router.
  void Stop();
  // For the osquery_events table.
  EventSourceInfo Info() const;

 private:
  void Run(RecordRouter& router, std::promise<Status>* started);
  void Log(const std::string& message) const;

  HostRuntimeOptions options_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> active_{false};
  std::atomic<int> tier_{0};
  std::atomic<int64_t> rules_{0};
  std::atomic<uint64_t> events_{0};
  std::atomic<uint64_t> polls_{0};
  std::atomic<uint64_t> exempted_{0};
  std::atomic<uint64_t> folded_{0};
  std::string exempt_description_;  // set before the thread starts
};

}  // namespace warden
