// The host event collector as an event source of the agent (the contract of
// agent/event_source.h): it runs a HostEventPipeline on its own thread and
// hands each finding of the host rules to the agent's router as an `events`
// record (body: the Warden finding JSON with "record": "finding"; syslog
// severity from the risk level), and, when asked, every host event too. The
// event journal is kept as `warden events watch` keeps it, so the
// bpf_*_events tables see what the agent collected.
//
// Not here: problems. The agent's event-source contract routes records; turning
// host findings into tracked problems is the agent's to add.
#pragma once

#include <memory>

#include "agent/event_source.h"
#include "ebpf/host_event_pipeline.h"

namespace warden {

struct HostEventSourceOptions {
  HostEventPipelineOptions pipeline;
  bool forward_events = false;  // also route every host event (high volume)
};

std::unique_ptr<EventSource> MakeHostEventAgentSource(HostEventSourceOptions options);

// For AgentOptions::event_sources: starts the collector with the defaults
// (and WARDEN_EBPF from the environment) for any config.
EventSourceFactory HostEventSourceFactory(HostEventSourceOptions options = {});

}  // namespace warden
