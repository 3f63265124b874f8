// FileTargets turns the path/directory constraints of a file-like table
// (file, hash, magic) into the list of files to look at, with osquery's
// semantics:
//   path = X, path IN (...)     the named paths (whether or not they exist;
//                               the table decides what a missing path means)
//   path LIKE P, path GLOB P    P expanded against the filesystem, one path
//                               component at a time: in LIKE, '%' matches any
//                               run of characters within ONE component and '_'
//                               one character; '%%' in the last component
//                               matches everything below, recursively. GLOB
//                               components use fnmatch(3) syntax (*, ?, [..]).
//   directory = X (and LIKE/GLOB, which expand to directories only)
//                               every entry of the directory, not recursive;
//                               the directory column keeps the caller's exact
//                               spelling ('/etc/' stays '/etc/') so SQLite's
//                               re-check of `directory = '/etc/'` passes.
// Deliberate differences from osquery's glob(3): wildcards also match names
// starting with '.', and matching is case-sensitive (as the filesystem is;
// SQL LIKE itself is not). Recursion never follows symlinked directories, so
// loops cannot happen; a pattern matching more than kMaxPatternMatches paths
// is an error asking for a narrower pattern. '%%' anywhere but the last
// component is rejected (osquery does not support it either).
//
// All filesystem access goes through HostFs, under an optional prefix (e.g.
// "/proc/42/root" to look inside another process's mount namespace); the
// reported paths never include the prefix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/host_fs.h"
#include "core/status.h"
#include "sql/table.h"

namespace warden {

struct FileTarget {
  std::string path;       // the path column
  std::string directory;  // the directory column
};

enum class PathPatternSyntax { kLike, kGlob };

inline constexpr size_t kMaxPatternMatches = 1000000;

// The existing paths matching an absolute pattern, sorted. With
// directories_only, only those that are (or link to) directories. Relative
// patterns match nothing. ctx (may be null) is polled for cancellation.
Result<std::vector<std::string>> ExpandPathPattern(const HostFs& fs, std::string_view fs_prefix,
                                                   std::string_view pattern,
                                                   PathPatternSyntax syntax, bool directories_only,
                                                   const QueryContext* ctx);

// Every file a query names through its "path" constraints and, when the table
// has one, its "directory" constraints; duplicates removed, in the order:
// path constraints first, then directory listings.
Result<std::vector<FileTarget>> ResolveFileTargets(const QueryContext& ctx,
                                                   std::string_view fs_prefix,
                                                   bool has_directory_column);

// The filesystem views a query asks for through osquery's hidden
// pid_with_namespace column: for each constrained pid, that process's view of
// the filesystem (fs_prefix "/proc/<pid>/root"; pids whose root cannot be read
// are left out); without the constraint, the host's own view (pid 0, as
// osquery reports it).
struct NamespaceView {
  std::string fs_prefix;
  int64_t pid = 0;
  std::string mount_namespace_id;  // "4026531841", from /proc/<pid>/ns/mnt; "" for the host view
};
std::vector<NamespaceView> NamespaceViews(const QueryContext& ctx);

// "/etc/passwd" -> "/etc", "/passwd" -> "/", "/" -> "" (boost's parent_path,
// which osquery reports); trailing slashes are ignored.
std::string ParentPath(std::string_view path);
// "/etc/passwd" -> "passwd"; trailing slashes are ignored.
std::string FileNameOf(std::string_view path);
// dir + "/" + name without doubling the slash.
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace warden
