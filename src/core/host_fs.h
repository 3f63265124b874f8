// HostFs is the seam between Warden and the operating system's files. Every
// table, inventory reader and scanner reads host state through it, so the same
// code runs against the live host (root "/"), a mounted image (--root DIR) or a
// fixture tree under tests/. Paths passed in are absolute host paths ("/proc/1/
// stat"); the object maps them under its root. Under a root other than "/",
// every path is resolved inside the root (openat2 RESOLVE_IN_ROOT): an
// absolute symlink or "../" in an image cannot lead back to the live host.
// It never writes. Code that must call a library on a real path (RealPath)
// does not get that guarantee.
//
// ReadFile and ReadProcFile open with O_NONBLOCK and check the opened file
// (fstat on the descriptor) before reading: FIFOs, sockets and character
// devices are refused, so a FIFO or /dev/zero planted where a file is
// expected can neither block the reader nor feed it without end.
//
// Reading where a local user controls the files. Warden runs as root, and
// some tables read files in places an unprivileged user can write: home
// directories (~/.bash_history, ~/.ssh/authorized_keys, browser profiles,
// ~/.local and ~/.npm-global packages) and user crontabs. There a user could
// plant a symlink or hard link to a file only root may read (/etc/shadow) and
// get its lines back as rows, or a FIFO that blocks the agent. Such places are
// read only through the UserArea calls (ReadUserFile, ListUserDir,
// StatUserPath), which apply one rule:
//   1. The area's directory (a home from /etc/passwd, a fixed spool directory)
//      is trusted as configured and opened as named. Everything below it is
//      resolved with openat2 RESOLVE_BENEATH: no component may lead outside
//      the area, whether by "..", an absolute symlink or a relative one.
//   2. The final component is opened with O_NOFOLLOW. When it is a symlink,
//      it is followed (at most kMaxUserSymlinkHops times) only if the link
//      belongs to the user and its target lies inside the area; otherwise the
//      file is refused.
//   3. Files are opened O_RDONLY | O_NONBLOCK | O_NOCTTY and checked with
//      fstat on the opened descriptor, never with a stat before the open: only
//      a regular file is read (no FIFO, socket or device), only up to the
//      caller's byte limit (a larger file is refused, not cut), and between
//      reads the caller's cancel check (the query's time budget) is polled.
//   4. The file must belong to the user, or to root (or the user Warden runs
//      as) with a single hard link: root may have put a file there, but a
//      second link to a root-owned file may be the user's hard link to a file
//      they cannot read themselves.
// An area whose directory was itself named by the user's files (a path in
// their browser preferences) is untrusted: its directory must belong to the
// user, and only the user's own files are read in it (no root exception).
// Refusals are kPermissionDenied errors naming the path and the reason.
// The rule holds under --root as on the live host; in fixture trees the
// files belong to whoever checked them out, which is root or the user
// running the tests, so they are read.
//
// Subclasses may override the virtual methods to inject faults in tests.
// Thread-safe: it holds no mutable state.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/strings.h"

namespace warden {

// A directory that a local user controls, and that user: see the rule above.
struct UserArea {
  std::string dir;  // host path, e.g. a home directory from /etc/passwd
  uid_t uid = 0;    // the user whose files are expected there
  // True when dir came from the user's own files rather than from /etc/passwd
  // or a fixed path: dir must then belong to uid, and root's files in it are
  // not read.
  bool dir_named_by_user = false;
};

// How many final-component symlinks a UserArea call follows inside the area.
inline constexpr int kMaxUserSymlinkHops = 8;

class HostFs {
 public:
  // root is a directory; "/" means the live host.
  explicit HostFs(std::string root = "/");
  virtual ~HostFs() = default;

  const std::string& root() const { return root_; }
  bool is_live() const { return root_ == "/"; }
  // The real path of a host path: root + path.
  std::string RealPath(std::string_view host_path) const;

  // Reads a whole file, at most max_bytes (files in /proc report size 0, so
  // this reads until EOF rather than trusting st_size).
  virtual Result<std::string> ReadFile(std::string_view path, size_t max_bytes = 64u << 20) const;
  // Reads a /proc file that the kernel produces in one piece (/proc/<pid>/
  // stat, status, io, cmdline, cgroup, ...): a read shorter than the buffer
  // is the whole file, which saves the read(2) that would only find EOF.
  // Falls back to reading on when the buffer fills, so nothing is truncated.
  // Not for files produced record by record (/proc/net/tcp): use ReadFile.
  virtual Result<std::string> ReadProcFile(std::string_view path,
                                           size_t max_bytes = 64u << 20) const;
  // Entry names in a directory, without "." and "..", in no particular order.
  virtual Result<std::vector<std::string>> ListDir(std::string_view path) const;
  virtual Result<std::string> ReadLink(std::string_view path) const;
  virtual Result<struct stat> Stat(std::string_view path) const;
  virtual Result<struct stat> Lstat(std::string_view path) const;
  bool Exists(std::string_view path) const;
  bool IsDirectory(std::string_view path) const;

  // Calls fn for each line of a file (without the newline). Stops early and
  // returns OK when fn returns false.
  Status ForEachLine(std::string_view path, const std::function<bool(std::string_view)>& fn) const;

  // Reads the regular file at `relative` (".ssh/authorized_keys"; "" is the
  // area's directory itself) inside a user's area under the rule above.
  // Errors: kNotFound when it does not exist; kPermissionDenied when the rule
  // refuses it (symlink leaving the area, not a regular file, another owner,
  // a second hard link); kInvalidArgument when it is larger than max_bytes;
  // kTimeout when cancelled (may be empty) returned true between reads.
  // Messages start with the host path.
  virtual Result<std::string> ReadUserFile(const UserArea& area, std::string_view relative,
                                           size_t max_bytes,
                                           const std::function<bool()>& cancelled = {}) const;
  // Entry names of the directory at `relative` inside the area, resolved as
  // ReadUserFile resolves files (it is not an owner check on the directory).
  virtual Result<std::vector<std::string>> ListUserDir(const UserArea& area,
                                                       std::string_view relative) const;
  // stat of what `relative` names inside the area, resolved as above (a
  // final symlink that the rule accepts is followed; one it refuses is an
  // error).
  virtual Result<struct stat> StatUserPath(const UserArea& area, std::string_view relative) const;

 private:
  // Opens a host path relative to the root with open(2) flags; -1 and errno on failure.
  int OpenInRoot(std::string_view path, int flags) const;
  // Opens `relative` inside the area with flags under rules 1, 2 and the
  // untrusted-directory check; the caller applies rules 3 and 4.
  Result<int> OpenInUserArea(const UserArea& area, std::string_view relative, int flags) const;

  std::string root_;
  std::shared_ptr<const int> root_fd_;  // O_PATH fd of root_ when it is not "/"
};

}  // namespace warden
