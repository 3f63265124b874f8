// How the long-running commands (`trail watch`, `trail scan --follow`,
// `events watch`) are stopped: SIGINT, SIGTERM and SIGHUP all ask them to
// finish cleanly - flush their output and print their summary - instead of
// dying mid-line. (The agent handles its own signals: SIGHUP reloads it.)
// Handlers are installed without SA_RESTART, so a system call waiting when
// the signal lands returns at once. Not for the agent or the server.
#pragma once

#include <string_view>

namespace warden {

// Installs the handlers (idempotent) and ignores SIGPIPE.
void InstallStopHandlers();
// The signal that asked to stop, or 0.
int StopSignal();
inline bool StopRequested() { return StopSignal() != 0; }
// "SIGINT", "SIGTERM", "SIGHUP".
std::string_view StopSignalName(int signal);

}  // namespace warden
