#include "cli/host_session.h"

namespace warden {

Result<std::unique_ptr<HostSession>> HostSession::Open(const std::string& root) {
  std::unique_ptr<HostSession> s(new HostSession(root));
  if (!s->fs_.IsDirectory("/")) return NotFound("--root " + root + ": not a directory");
  RegisterBuiltinTables(s->registry_);
  ASSIGN_OR_RETURN(s->engine_, SqlEngine::Open(&s->registry_, &s->fs_));
  return s;
}

}  // namespace warden
