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
// loops cannot happen. '%%' anywhere but the last component is rejected
// (osquery does not support it either).
//
// Patterns are walked lazily (PathPatternWalker, FileTargetStream): a walk
// holds one directory listing per level, not its matches, so the file and
// hash tables stream whole trees in bounded memory. The calls that return
// every match at once (ExpandPathPattern, ResolveFileTargets) refuse more
// than kMaxPatternMatches paths with an error asking for a narrower pattern,
// and so does a stream that must remember what it produced to drop
// duplicates (several constraints that can name the same file).
//
// All filesystem access goes through HostFs, under an optional prefix (e.g.
// "/proc/42/root" to look inside another process's mount namespace); the
// reported paths never include the prefix.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
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

// The existing paths matching an absolute pattern, one at a time, in sorted
// order, each once. With directories_only, only those that are (or link to)
// directories. Relative patterns match nothing. ctx (may be null) is polled
// for cancellation, which ends the walk. Memory: one sorted listing per
// directory level being walked.
class PathPatternWalker {
 public:
  PathPatternWalker(const HostFs& fs, std::string fs_prefix, std::string pattern,
                    PathPatternSyntax syntax, bool directories_only, const QueryContext* ctx);
  ~PathPatternWalker();
  PathPatternWalker(PathPatternWalker&&) noexcept;
  PathPatternWalker& operator=(PathPatternWalker&&) = delete;

  // The next match; nullopt when there is none left. An invalid pattern
  // ('%%' before the last component) is an error on the first call.
  Result<std::optional<std::string>> Next();

 private:
  struct Level;
  void Expand(const std::string& dir, size_t component);
  void Descend(const std::string& dir);

  const HostFs& fs_;
  std::string fs_prefix_;
  std::string pattern_;
  PathPatternSyntax syntax_;
  bool directories_only_;
  const QueryContext* ctx_;
  Status error_;
  std::vector<std::string> components_;
  std::vector<Level> levels_;
};

// Every match of PathPatternWalker at once; more than kMaxPatternMatches is
// an error.
Result<std::vector<std::string>> ExpandPathPattern(const HostFs& fs, std::string_view fs_prefix,
                                                   std::string_view pattern,
                                                   PathPatternSyntax syntax, bool directories_only,
                                                   const QueryContext* ctx);

// Every file a query names through its "path" constraints and, when the table
// has one, its "directory" constraints, one at a time; duplicates removed, in
// the order: path values (=, IN), path patterns (LIKE, GLOB) each in sorted
// order, then the entries of each directory the directory constraints name.
// Only when more than one constraint produces targets does the stream keep
// a set of what it produced (to drop duplicates); that set is bounded by
// kMaxPatternMatches, past which Next is an error.
class FileTargetStream {
 public:
  FileTargetStream(const QueryContext& ctx, std::string fs_prefix, bool has_directory_column);
  // The next target; nullopt at the end, or once the query is cancelled.
  Result<std::optional<FileTarget>> Next();

 private:
  Result<std::optional<FileTarget>> NextCandidate();
  Result<std::optional<std::string>> NextDirectory();

  const QueryContext& ctx_;
  std::string fs_prefix_;
  // Sources, consumed in order.
  std::vector<std::string> path_values_;
  size_t next_path_value_ = 0;
  std::vector<std::pair<std::string, PathPatternSyntax>> path_patterns_;
  size_t next_path_pattern_ = 0;
  std::vector<std::string> directory_values_;
  size_t next_directory_value_ = 0;
  std::vector<std::pair<std::string, PathPatternSyntax>> directory_patterns_;
  size_t next_directory_pattern_ = 0;
  std::optional<PathPatternWalker> walker_;            // the path pattern being walked
  std::optional<PathPatternWalker> directory_walker_;  // the directory pattern being walked
  std::string listed_directory_;                       // whose entries listing_ holds
  std::vector<std::string> listing_;
  size_t next_listed_ = 0;
  std::optional<std::set<std::pair<std::string, std::string>>> seen_;
};

// Every target of FileTargetStream at once; more than kMaxPatternMatches is
// an error.
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

// The stream of a file-like table (file, hash): for each namespace view, each
// target of a FileTargetStream, add_row appends that target's row (or none),
// kStreamBatchRows rows per batch. add_row's errors end the query.
using FileTargetRowFn = std::function<Status(const NamespaceView&, const FileTarget&, RowWriter&)>;
std::unique_ptr<RowStream> StreamFileTargetRows(const QueryContext& ctx, FileTargetRowFn add_row);

// "/etc/passwd" -> "/etc", "/passwd" -> "/", "/" -> "" (boost's parent_path,
// which osquery reports); trailing slashes are ignored.
std::string ParentPath(std::string_view path);
// "/etc/passwd" -> "passwd"; trailing slashes are ignored.
std::string FileNameOf(std::string_view path);
// dir + "/" + name without doubling the slash.
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace warden
