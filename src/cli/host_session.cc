#include "cli/host_session.h"

#include "ebpf/host_event_tables.h"
#include "vuln/vulnerabilities_table.h"

namespace warden {

void RegisterAllTables(TableRegistry& registry) {
  RegisterBuiltinTables(registry);
  RegisterVulnerabilitiesTable(registry);  // Warden-only: needs src/vuln
  RegisterHostEventTables(registry);       // bpf_*_events: need src/ebpf
}

Result<std::unique_ptr<HostSession>> HostSession::Open(const std::string& root) {
  std::unique_ptr<HostSession> s(new HostSession(root));
  if (!s->fs_.IsDirectory("/")) return NotFound("--root " + root + ": not a directory");
  RegisterAllTables(s->registry_);
  ASSIGN_OR_RETURN(s->engine_, SqlEngine::Open(&s->registry_, &s->fs_));
  return s;
}

}  // namespace warden
