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

Status ForEachLineInRoot(const QueryContext& ctx, const NamespaceRoot& root, std::string_view path,
                         const std::function<bool(std::string_view)>& fn) {
  if (root.prefix.empty()) return ctx.fs().ForEachLine(path, fn);
  HostFs process_fs(ctx.fs().RealPath(root.prefix));
  return process_fs.ForEachLine(path, fn);
}

}  // namespace warden
