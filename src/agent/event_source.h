// EventSource is how a continuous source of observations (the eBPF sensor of
// src/ebpf, later others) runs inside the agent: the agent starts each
// registered source after its sinks are up and stops it before they go down;
// the source hands records of kind `events` to the router from its own
// threads (RecordRouter::Route is thread-safe). This is the whole contract;
// the agent knows nothing else about a source.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "agent/agent_config.h"
#include "delivery/record_router.h"
#include "tables/warden_tables.h"

namespace warden {

class EventSource {
 public:
  virtual ~EventSource() = default;
  virtual std::string name() const = 0;
  // Starts producing; must return promptly (start threads for the work).
  virtual Status Start(RecordRouter& router) = 0;
  // Stops; when it returns the source no longer calls the router.
  virtual void Stop() = 0;
  // For the osquery_events table.
  virtual EventSourceInfo Info() const = 0;
};

// Builds a source for a config; nullptr (with OK) when the config does not ask for it.
using EventSourceFactory =
    std::function<Result<std::unique_ptr<EventSource>>(const AgentConfig& config)>;

}  // namespace warden
