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
// and the acting process is known by its pid and /proc only (its ids are read
// from /proc/PID/status; callers add what their tier knows).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/host_fs.h"
#include "core/status.h"
#include "ebpf/event_source.h"
#include "ebpf/host_event.h"

namespace warden {

// Reads every pending event of a non-blocking fanotify descriptor (one
// without file-id reporting): on_event(mask, pid, path of the file), closing
// each event's descriptor. Returns the queue overflows seen. Also reads the
// fallback tier's exec-path marks.
uint64_t ReadFanotifyEvents(
    int fd, const std::function<void(uint64_t mask, int64_t pid, std::string path)>& on_event);

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

  // Reads every pending event without blocking and delivers each as an
  // `open` HostEvent (origin fanotify, time from `clock`, pid, path, and the
  // ids, parent and comm from /proc when the process is still there: else
  // uid stays -1). Renews the marks first when `refresh` has passed.
  void Drain(const BootClock& clock, const std::function<void(HostEvent&)>& deliver);

  int fd() const { return fd_; }
  size_t marks() const { return watched_.size(); }
  const std::vector<std::string>& watched() const { return watched_; }
  uint64_t overflows() const { return overflows_; }
  uint64_t own_filtered() const { return own_filtered_; }

 private:
  void MarkAll();

  int fd_ = -1;
  int64_t ignore_pid_ = 0;
  HostFs proc_fs_{"/"};
  std::vector<std::string> prefixes_;
  std::chrono::milliseconds refresh_{0};
  std::chrono::steady_clock::time_point marked_at_;
  std::vector<std::string> watched_;
  uint64_t overflows_ = 0;
  uint64_t own_filtered_ = 0;
};

}  // namespace warden
