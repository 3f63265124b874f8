#include "cli/host_session.h"

#include "ebpf/host_event_tables.h"
#include "vuln/vulnerabilities_table.h"

namespace warden {

Result<std::unique_ptr<HostSession>> HostSession::Open(const std::string& root) {
  std::unique_ptr<HostSession> s(new HostSession(root));
  if (!s->fs_.IsDirectory("/")) return NotFound("--root " + root + ": not a directory");
  RegisterBuiltinTables(s->registry_);
  RegisterVulnerabilitiesTable(s->registry_);  // Warden-only: needs src/vuln
  RegisterHostEventTables(s->registry_);       // bpf_*_events: need src/ebpf
  ASSIGN_OR_RETURN(s->engine_, SqlEngine::Open(&s->registry_, &s->fs_));
  return s;
}

}  // namespace warden
