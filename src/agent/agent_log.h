// The agent's log: one line per event on stderr ("2024-01-10T12:00:00Z warden
// agent: job HOST-OPEN-PORTS ok ..."), where systemd's journal or the
// terminal picks it up. Lines from different threads never interleave.
// Records for SIEMs go through sinks, not here.
#pragma once

#include <string_view>

namespace warden {

void AgentLog(std::string_view message);

}  // namespace warden
