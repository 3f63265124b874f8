// The suid_bin table: setuid and setgid regular files under the directories
// where executables live, walked recursively. permissions is osquery's
// string: "S" setuid, "G" setgid, "SG" both. username/groupname are the
// owner's names from /etc/passwd and /etc/group of the same root (the number,
// as text, when the id has no name).
//
// Directories: osquery's (/bin /sbin /usr/bin /usr/sbin /usr/local/bin
// /usr/local/sbin /tmp) plus /usr/libexec, /usr/lib and /usr/local/lib, where
// distributions put setuid helpers (ssh-keysign, dbus-daemon-launch-helper,
// polkit-agent-helper-1, chrome-sandbox). As osquery, each root is walked by
// its own path: on merged-/usr systems /bin/su and /usr/bin/su are both
// listed. Symbolic links inside the walk are followed to files (a link to a
// setuid file is listed under the link's path, as osquery's stat does) but
// never into directories, so loops are impossible; links are resolved inside
// the HostFs root, never on the host behind a fixture. Unreadable
// directories are skipped.
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tables/passwd_reader.h"
#include "tables/user_tables.h"

namespace warden {

namespace {

constexpr const char* kSearchRoots[] = {
    "/bin",         "/sbin",    "/usr/bin",       "/usr/sbin", "/usr/local/bin", "/usr/local/sbin",
    "/usr/libexec", "/usr/lib", "/usr/local/lib", "/tmp"};
constexpr int kMaxWalkDepth = 32;
constexpr int kMaxSymlinkHops = 8;

std::string ParentDir(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

// The path a symlink chain ends at, each link resolved through HostFs so
// absolute targets stay inside its root; nullopt for dangling links and loops.
// (Only the final component is resolved: intermediate directories are the
// walk's own, which never descends through links.)
std::optional<std::string> ResolveSymlinks(const HostFs& fs, std::string path) {
  for (int hop = 0; hop <= kMaxSymlinkHops; ++hop) {
    auto st = fs.Lstat(path);
    if (!st.ok()) return std::nullopt;
    if (!S_ISLNK(st->st_mode)) return path;
    auto target = fs.ReadLink(path);
    if (!target.ok() || target->empty()) return std::nullopt;
    std::string next = target->front() == '/' ? *target : ParentDir(path) + "/" + *target;
    path = std::move(next);
  }
  return std::nullopt;
}

class SuidWalker {
 public:
  SuidWalker(const QueryContext& ctx, RowWriter& out)
      : ctx_(ctx), out_(out), users_(ReadPasswd(ctx.fs())), groups_(ReadGroup(ctx.fs())) {}

  void WalkRoot(const std::string& root) {
    // The root itself may be a symlink (/bin -> usr/bin): follow it, as
    // osquery's directory iterator does, but list what it points to through
    // HostFs and name the files under the root's own path.
    std::optional<std::string> real_dir = ResolveSymlinks(ctx_.fs(), root);
    if (real_dir && ctx_.fs().IsDirectory(*real_dir)) Walk(*real_dir, root, 0);
  }

 private:
  // Lists real_dir; rows are named under shown_dir (they differ only below a
  // symlinked root).
  void Walk(const std::string& real_dir, const std::string& shown_dir, int depth) {
    if (depth > kMaxWalkDepth || ctx_.Cancelled()) return;
    auto names = ctx_.fs().ListDir(real_dir);
    if (!names.ok()) return;
    std::sort(names->begin(), names->end());
    for (const std::string& name : *names) {
      std::string path = real_dir + "/" + name;
      std::string shown = shown_dir + "/" + name;
      auto lst = ctx_.fs().Lstat(path);
      if (!lst.ok()) continue;  // vanished mid-walk
      if (S_ISDIR(lst->st_mode)) {
        Walk(path, shown, depth + 1);
        continue;
      }
      struct stat st = *lst;
      if (S_ISLNK(lst->st_mode)) {
        std::optional<std::string> target = ResolveSymlinks(ctx_.fs(), path);
        if (!target) continue;
        auto target_st = ctx_.fs().Lstat(*target);
        if (!target_st.ok()) continue;
        st = *target_st;
      }
      if (!S_ISREG(st.st_mode) || (st.st_mode & (S_ISUID | S_ISGID)) == 0) continue;
      AddRow(shown, st);
    }
  }

  void AddRow(const std::string& path, const struct stat& st) {
    Row& row = out_.Add();
    row.Set("path", path);
    const PasswdEntry* user = FindUserByUid(users_, st.st_uid);
    row.Set("username", user != nullptr ? user->name : std::to_string(st.st_uid));
    const GroupEntry* group = FindGroupByGid(groups_, st.st_gid);
    row.Set("groupname", group != nullptr ? group->name : std::to_string(st.st_gid));
    std::string permissions;
    if (st.st_mode & S_ISUID) permissions += 'S';
    if (st.st_mode & S_ISGID) permissions += 'G';
    row.Set("permissions", permissions);
  }

  const QueryContext& ctx_;
  RowWriter& out_;
  std::vector<PasswdEntry> users_;
  std::vector<GroupEntry> groups_;
};

}  // namespace

void RegisterSuidBinTable(TableRegistry& r) {
  r.Add(
      TableSchema{"suid_bin",
                  "setuid and setgid executables in the system's binary directories.",
                  {{"path", ColumnType::kText, kNone, "", "Binary path"},
                   {"username", ColumnType::kText, kNone, "", "Binary owner username"},
                   {"groupname", ColumnType::kText, kNone, "", "Binary owner group"},
                   {"permissions", ColumnType::kText, kNone, "",
                    "Binary permissions: S (setuid), G (setgid) or SG"},
                   {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput,
                    "", "Pids that contain a namespace (accepted, not used)"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        SuidWalker walker(ctx, out);
        for (const char* root : kSearchRoots) walker.WalkRoot(root);
        return Status::Ok();
      });
}

}  // namespace warden
