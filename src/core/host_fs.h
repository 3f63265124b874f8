// HostFs is the seam between Warden and the operating system's files. Every
// table, inventory reader and scanner reads host state through it, so the same
// code runs against the live host (root "/"), a mounted image (--root DIR) or a
// fixture tree under tests/. Paths passed in are absolute host paths ("/proc/1/
// stat"); the object maps them under its root. Under a root other than "/",
// every path is resolved inside the root (openat2 RESOLVE_IN_ROOT): an
// absolute symlink or "../" in an image cannot lead back to the live host.
// It never writes. Code that must call a library on a real path (RealPath)
// does not get that guarantee.
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

 private:
  // Opens a host path relative to the root with open(2) flags; -1 and errno on failure.
  int OpenInRoot(std::string_view path, int flags) const;

  std::string root_;
  std::shared_ptr<const int> root_fd_;  // O_PATH fd of root_ when it is not "/"
};

}  // namespace warden
