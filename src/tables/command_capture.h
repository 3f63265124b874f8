// Running a host program and capturing its standard output, for the rare
// table whose data only a program can produce (iptables rules kept in
// nftables). Safety contract: the program is named by absolute path and run
// without a shell, with stdin and stderr on /dev/null, a fixed minimal
// environment (PATH of the system directories, LC_ALL=C), a time limit after
// which it is killed, and a cap on the output kept. Live host only: callers
// check HostFs::is_live() first, since a program describes the machine Warden
// runs on.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"

namespace warden {

struct CapturedOutput {
  int exit_code = -1;  // -1 when the program was killed or died of a signal
  std::string out;
  bool truncated = false;  // more than max_bytes were written; the rest was discarded
};

// Runs argv (argv[0] an absolute path). Returns an error when the program
// cannot be started (NotFound when it does not exist), Timeout when it runs
// past `timeout` or `cancelled()` turns true; the program is killed then.
Result<CapturedOutput> CaptureCommandOutput(const std::vector<std::string>& argv,
                                            std::chrono::milliseconds timeout, size_t max_bytes,
                                            const std::function<bool()>& cancelled = {});

}  // namespace warden
