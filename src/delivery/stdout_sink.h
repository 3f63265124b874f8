// The `stdout` sink: one line per record on the process's standard output,
// as JSON or, with format: text, a line for people. Local: written at once.
//   - {name: console, type: stdout, format: text}
#pragma once

#include "delivery/sink_registry.h"

namespace warden {

struct StdoutSinkSettings : SinkSettings {};

class StdoutSink : public Sink {
 public:
  using Sink::Sink;
  Status Deliver(const std::vector<QueuedRecord>& batch) override;
  std::string Destination() const override { return "stdout"; }
};

const SinkType& StdoutSinkType();

}  // namespace warden
