// Fuzzes the agent's config parser (ParseAgentConfig): any text must give a
// config or an error naming file, line and key, never a crash, a hang or an
// exception escaping (yaml-cpp throws; the parser must convert at its edge).
// A config that parses has its schedules described too, as `status` does.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/agent_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto config = warden::ParseAgentConfig(text, "/etc/warden/agent.yaml");
  if (!config.ok()) return 0;
  for (const auto& rule : config->rules) (void)rule.schedule.Describe();
  for (const auto& query : config->queries) (void)query.schedule.Describe();
  return 0;
}
