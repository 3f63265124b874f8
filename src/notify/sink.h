// Sink is where findings go besides stdout: a Slack channel, a signed
// webhook, and later (the agent) syslog, Splunk HEC, files. Each sink formats
// one finding per delivery and retries through PostWithRetry; Send returns
// only when the finding was delivered or the retries gave up.
// Sinks are used by one thread at a time; construct one per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/finding.h"
#include "core/status.h"
#include "notify/http_poster.h"

namespace warden {

class Sink {
 public:
  virtual ~Sink() = default;
  // "slack", "webhook": for messages and statistics.
  virtual std::string_view name() const = 0;
  // Delivers one finding. An error Status means it was not delivered.
  virtual Status Send(const Finding& finding) = 0;
};

// A finding for "send a test record": every sink must be testable.
Finding MakeTestFinding();

}  // namespace warden
