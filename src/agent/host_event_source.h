// The continuous detector HOST-RUNTIME as one of the agent's event sources
// (the contract of agent/event_source.h): src/ebpf's HostRuntimeSource with
// the options the agent's config asks for, problems kept in the agent's state
// file under its host identifier, and its messages in the agent's log. Only
// this adaptation lives here; collecting events and raising problems is
// src/ebpf's.
#pragma once

#include <memory>
#include <optional>

#include "agent/event_source.h"
#include "ebpf/host_runtime_source.h"

namespace warden {

// The options HOST-RUNTIME's settings in `config` ask for, on top of `base`,
// with the agent's state file and host identifier; nullopt when the detector
// is disabled.
std::optional<HostRuntimeOptions> HostEventSourceOptionsFor(const AgentConfig& config,
                                                            HostRuntimeOptions base = {});

std::unique_ptr<EventSource> MakeHostEventAgentSource(HostRuntimeOptions options);

// For AgentOptions::event_sources: starts the collector when the config
// enables HOST-RUNTIME (WARDEN_EBPF=off in the environment forces the fallback).
EventSourceFactory HostEventSourceFactory(HostRuntimeOptions options = {});

}  // namespace warden
