// The host event collector as an event source of the agent (the contract of
// agent/event_source.h), i.e. the continuous recipe rule HOST-RUNTIME: it runs
// a HostEventPipeline on its own thread and
//   - turns the host rules' findings into problems (ProblemRepository::Raise on
//     the agent's state file: opened / reopened events go to `problems`
//     sinks; repeats of an open problem count occurrences);
//   - hands every firing to the router as an `events` record (body: the
//     Warden finding JSON with "record": "finding"; syslog severity from the
//     risk level), and, when asked, every host event too.
// Settings come from the agent config (recipe.rules.HOST-RUNTIME.settings);
// the real-time listener rule takes HOST-OPEN-PORTS's allowed TCP ports, so
// the scheduled and the real-time open-ports checks agree. The event journal
// is kept as `warden events watch` keeps it, so the bpf_*_events tables see
// what the agent collected.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "agent/event_source.h"
#include "detectors/host_runtime_detector.h"
#include "detectors/open_ports_detector.h"
#include "ebpf/host_event_pipeline.h"

namespace warden {

struct HostEventSourceOptions {
  HostEventPipelineOptions pipeline;
  bool forward_events = false;  // also route every host event (high volume)
  // The agent's state file (problems); "" = findings are only routed as events.
  std::string problem_store_path;
  std::string host;  // the problems' host identifier
};

// The options HOST-RUNTIME's settings in `config` ask for, on top of `base`;
// nullopt when the rule is disabled.
std::optional<HostEventSourceOptions> HostEventSourceOptionsFor(const AgentConfig& config,
                                                                HostEventSourceOptions base = {});

// The rule HOST-LISTEN-UNEXPECTED-PORT as YAML, allowing the TCP ports (and
// loopback choice) of the open-ports settings.
std::string ListenRuleForAllowedPorts(const OpenPortsSettings& ports, RiskLevel risk_level);

std::unique_ptr<EventSource> MakeHostEventAgentSource(HostEventSourceOptions options);

// For AgentOptions::event_sources: starts the collector when the config
// enables HOST-RUNTIME (WARDEN_EBPF=off in the environment forces the fallback).
EventSourceFactory HostEventSourceFactory(HostEventSourceOptions options = {});

}  // namespace warden
