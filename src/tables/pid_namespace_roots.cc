#include "tables/pid_namespace_roots.h"

namespace warden {

std::vector<NamespaceRoot> NamespaceRootsToRead(const QueryContext& ctx) {
  auto pids = ctx.IntegerEquals("pid_with_namespace");
  if (!pids) return {NamespaceRoot{}};
  std::vector<NamespaceRoot> roots;
  for (int64_t pid : *pids) {
    if (pid == 0) roots.push_back(NamespaceRoot{});  // the value host rows carry
    if (pid > 0) roots.push_back({"/proc/" + std::to_string(pid) + "/root", pid});
  }
  return roots;
}

}  // namespace warden
