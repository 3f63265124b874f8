#include "ebpf/sensitive_open_watch.h"

#include <fcntl.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/strings.h"
#include "ebpf/proc_lookup.h"

namespace warden {

SensitiveOpenWatch::~SensitiveOpenWatch() {
  if (fd_ >= 0) close(fd_);
}

Status SensitiveOpenWatch::Open(const std::vector<std::string>& prefixes, int64_t ignore_pid,
                                std::chrono::milliseconds refresh) {
  ignore_pid_ = ignore_pid;
  prefixes_ = prefixes;
  refresh_ = refresh;
  int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK,
                         O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("fanotify_init", errno);
  fd_ = fd;
  MarkAll();
  return Status::Ok();
}

// Adding a mark an inode already has only sets the same mask again, so this
// simply marks whatever matches now.
void SensitiveOpenWatch::MarkAll() {
  marked_at_ = std::chrono::steady_clock::now();
  watched_.clear();
  for (const std::string& prefix : prefixes_) {
    if (prefix.empty() || prefix.front() != '/') continue;
    std::filesystem::path p(prefix);
    std::error_code ec;
    std::string stem = p.filename().string();
    std::vector<std::filesystem::path> targets;
    if (stem.empty()) {
      targets.push_back(p.parent_path());
    } else {
      for (const auto& entry : std::filesystem::directory_iterator(p.parent_path(), ec))
        if (StartsWith(entry.path().filename().string(), stem)) targets.push_back(entry.path());
    }
    for (const auto& t : targets) {
      bool is_dir = std::filesystem::is_directory(t, ec);
      uint64_t mask = FAN_OPEN | (is_dir ? FAN_EVENT_ON_CHILD : 0);
      if (fanotify_mark(fd_, FAN_MARK_ADD, mask, AT_FDCWD, t.c_str()) == 0)
        watched_.push_back(t.string());
    }
  }
}

uint64_t ReadFanotifyEvents(
    int fd, const std::function<void(uint64_t mask, int64_t pid, std::string path)>& on_event) {
  uint64_t overflows = 0;
  alignas(fanotify_event_metadata) char buf[64 * 1024];
  for (;;) {
    ssize_t len = read(fd, buf, sizeof(buf));
    if (len <= 0) return overflows;
    auto* meta = reinterpret_cast<fanotify_event_metadata*>(buf);
    while (FAN_EVENT_OK(meta, len)) {
      if (meta->mask & FAN_Q_OVERFLOW) ++overflows;
      if (meta->fd >= 0) {
        std::string path = ReadLinkOrEmpty("/proc/self/fd/" + std::to_string(meta->fd));
        close(meta->fd);
        on_event(meta->mask, meta->pid, std::move(path));
      }
      meta = FAN_EVENT_NEXT(meta, len);
    }
  }
}

void SensitiveOpenWatch::Drain(const BootClock& clock,
                               const std::function<void(HostEvent&)>& deliver) {
  if (fd_ < 0) return;
  if (std::chrono::steady_clock::now() - marked_at_ >= refresh_) MarkAll();
  overflows_ += ReadFanotifyEvents(fd_, [&](uint64_t mask, int64_t pid, std::string path) {
    if (pid == ignore_pid_) {
      ++own_filtered_;
      return;
    }
    if ((mask & FAN_OPEN) == 0) return;
    HostEvent e;
    e.kind = HostEventKind::kOpen;
    e.origin = EventOrigin::kFanotify;
    e.boot_ns = BootClock::NowBoot();
    e.time_ns = clock.WallFromBoot(e.boot_ns);
    e.pid = pid;
    e.syscall = "open";
    e.path = std::move(path);
    FillIdsFromProc(proc_fs_, &e);
    deliver(e);
  });
}

}  // namespace warden
