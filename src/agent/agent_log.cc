#include "agent/agent_log.h"

#include <cstdio>
#include <mutex>
#include <string>

#include "core/time_format.h"

namespace warden {

void AgentLog(std::string_view message) {
  static std::mutex mu;
  std::string line =
      FormatRfc3339(NowEpochSeconds()) + " warden agent: " + std::string(message) + "\n";
  std::lock_guard<std::mutex> lock(mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace warden
