// Opens of sensitive files seen through fanotify inode marks: a mark costs
// nothing on any other file, so this is how the eBPF tier's default (hooks)
// mode and the fallback tier watch the configured prefixes without a syscall
// tracepoint. Each prefix marks the files and directories that exist when
// the watch opens ("/etc/sudoers" -> /etc/sudoers and /etc/sudoers.d, whose
// children are reported too).
//
// A mark belongs to an inode, and sensitive files are routinely replaced
// (passwd, visudo and useradd write a new file and rename it over the old
// one), so the marks are renewed every `refresh` (default 5 s) while
// draining: a replaced or newly created file is watched within that time.
//
// Not done here: fanotify does not say read from write (open_flags stays -1),
// and the acting process is known by pid only - callers fill in the rest.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"

namespace warden {

class SensitiveOpenWatch {
 public:
  SensitiveOpenWatch() = default;
  SensitiveOpenWatch(const SensitiveOpenWatch&) = delete;
  SensitiveOpenWatch& operator=(const SensitiveOpenWatch&) = delete;
  ~SensitiveOpenWatch();

  // fanotify_init + one mark per existing match of each absolute prefix.
  // Opens by ignore_pid are dropped (counted in own_filtered()).
  Status Open(const std::vector<std::string>& prefixes, int64_t ignore_pid,
              std::chrono::milliseconds refresh = std::chrono::seconds(5));

  // Reads every pending event without blocking: on_open(pid, path). Renews
  // the marks first when `refresh` has passed since the last time.
  void Drain(const std::function<void(int64_t pid, std::string path)>& on_open);

  int fd() const { return fd_; }
  size_t marks() const { return watched_.size(); }
  const std::vector<std::string>& watched() const { return watched_; }
  uint64_t overflows() const { return overflows_; }
  uint64_t own_filtered() const { return own_filtered_; }

 private:
  void MarkAll();

  int fd_ = -1;
  int64_t ignore_pid_ = 0;
  std::vector<std::string> prefixes_;
  std::chrono::milliseconds refresh_{0};
  std::chrono::steady_clock::time_point marked_at_;
  std::vector<std::string> watched_;
  uint64_t overflows_ = 0;
  uint64_t own_filtered_ = 0;
};

}  // namespace warden
