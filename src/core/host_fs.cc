#include "core/host_fs.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>

namespace warden {

namespace {

// Closes a descriptor when it goes out of scope.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

const char* FileKindName(mode_t mode) {
  if (S_ISREG(mode)) return "regular file";
  if (S_ISDIR(mode)) return "directory";
  if (S_ISLNK(mode)) return "symlink";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISSOCK(mode)) return "socket";
  return "special file";
}

Status Refused(std::string_view path, const std::string& reason) {
  return Status(StatusCode::kPermissionDenied, std::string(path) + ": " + reason);
}

// dir + "/" + relative, for messages and for comparing symlink targets.
std::string JoinUnder(std::string_view dir, std::string_view relative) {
  std::string out(dir);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  if (relative.empty() || relative == ".") return out;
  if (out != "/") out.push_back('/');
  out.append(relative);
  return out;
}

// Opens `relative` beneath dir_fd: no component may resolve outside it.
int OpenBeneath(int dir_fd, const std::string& relative, int flags) {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = ::syscall(SYS_openat2, dir_fd, relative.c_str(), &how, sizeof how);
    if (fd >= 0 || errno != EAGAIN) return static_cast<int>(fd);
    // EAGAIN: a rename raced the lookup (RESOLVE_BENEATH asks for a retry).
  }
}

// Rule 4 of host_fs.h: whether an entry with this stat may be read as the
// area's user's. Symlinks and files alike; hard links matter for files only.
bool OwnerAccepted(const struct stat& st, const UserArea& area) {
  if (st.st_uid == area.uid) return true;
  if (area.dir_named_by_user) return false;
  bool privileged = st.st_uid == 0 || st.st_uid == ::geteuid();
  return privileged && (!S_ISREG(st.st_mode) || st.st_nlink == 1);
}

Status OwnerRefused(std::string_view path, const struct stat& st, const UserArea& area) {
  std::string what = FileKindName(st.st_mode);
  if (st.st_uid != area.uid && !area.dir_named_by_user && S_ISREG(st.st_mode) &&
      (st.st_uid == 0 || st.st_uid == ::geteuid()))
    return Refused(path, what + " of uid " + std::to_string(st.st_uid) + " with " +
                             std::to_string(st.st_nlink) + " hard links in an area of uid " +
                             std::to_string(area.uid) +
                             " (a second link may lead to a file the user cannot read); not read");
  return Refused(path, what + " belongs to uid " + std::to_string(st.st_uid) + ", not to uid " +
                           std::to_string(area.uid) + "; not read");
}

}  // namespace

HostFs::HostFs(std::string root) : root_(std::move(root)) {
  if (root_.empty()) root_ = "/";
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  if (root_ != "/") {
    int fd = ::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    root_fd_ = std::shared_ptr<const int>(new int(fd), [](const int* p) {
      if (*p >= 0) ::close(*p);
      delete p;
    });
  }
}

int HostFs::OpenInRoot(std::string_view path, int flags) const {
  if (!root_fd_) return ::open(std::string(path).c_str(), flags | O_CLOEXEC);
  if (*root_fd_ < 0) {
    errno = ENOENT;
    return -1;
  }
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::string rel = path.empty() ? std::string(".") : std::string(path);
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, *root_fd_, rel.c_str(), &how, sizeof how);
  return static_cast<int>(fd);
}

std::string HostFs::RealPath(std::string_view host_path) const {
  if (root_ == "/") return std::string(host_path);
  std::string p;
  p.reserve(root_.size() + host_path.size() + 1);
  p.append(root_);
  if (host_path.empty() || host_path.front() != '/') p.push_back('/');
  p.append(host_path.data(), host_path.size());
  return p;
}

namespace {

// Reads fd into a string; with stop_on_short_read, a read that does not fill
// the buffer ends the file.
Result<std::string> ReadAll(int fd, std::string_view path, size_t max_bytes,
                            bool stop_on_short_read) {
  std::string data;
  size_t chunk = 16384;
  for (;;) {
    size_t want = std::min(chunk, max_bytes - data.size());
    if (want == 0) break;
    size_t old = data.size();
    data.resize(old + want);
    ssize_t n = ::read(fd, data.data() + old, want);
    if (n < 0) {
      if (errno == EINTR) {
        data.resize(old);
        continue;
      }
      int err = errno;
      ::close(fd);
      return ErrnoStatus(path, err);
    }
    data.resize(old + static_cast<size_t>(n));
    if (n == 0 || (stop_on_short_read && static_cast<size_t>(n) < want)) break;
    chunk = std::min<size_t>(chunk * 2, 1u << 20);
  }
  ::close(fd);
  return data;
}

}  // namespace

Result<std::string> HostFs::ReadFile(std::string_view path, size_t max_bytes) const {
  // O_NONBLOCK: opening a FIFO must not wait for a writer. The type is
  // checked on the opened descriptor, so it cannot change after the check.
  int fd = OpenInRoot(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return ErrnoStatus(path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus(path, err);
  }
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode)) {
    ::close(fd);
    return Refused(path, std::string("is a ") + FileKindName(st.st_mode) + "; not read");
  }
  return ReadAll(fd, path, max_bytes, false);
}

Result<std::string> HostFs::ReadProcFile(std::string_view path, size_t max_bytes) const {
  // Kernel-made files only (see host_fs.h): no fstat, which would cost a
  // system call per process on the processes table's hot path.
  int fd = OpenInRoot(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return ErrnoStatus(path, errno);
  return ReadAll(fd, path, max_bytes, true);
}

namespace {

// The entry names of an open directory; closes fd.
Result<std::vector<std::string>> ListOpenDir(int fd, std::string_view path) {
  // getdents64 directly: opendir/readdir would add an fstat and two fcntl
  // calls per directory, which shows when listing /proc/<pid>/fd for
  // thousands of processes.
  std::vector<std::string> names;
  alignas(8) char buf[32768];
  for (;;) {
    long n = ::syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoStatus(path, err);
    }
    if (n == 0) break;
    for (long off = 0; off < n;) {
      struct Dirent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[1];
      };
      const auto* e = reinterpret_cast<const Dirent64*>(buf + off);
      std::string_view name(e->d_name);
      if (name != "." && name != "..") names.emplace_back(name);
      off += e->d_reclen;
    }
  }
  ::close(fd);
  return names;
}

}  // namespace

Result<std::vector<std::string>> HostFs::ListDir(std::string_view path) const {
  int fd = OpenInRoot(path, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return ErrnoStatus(path, errno);
  return ListOpenDir(fd, path);
}

Result<std::string> HostFs::ReadLink(std::string_view path) const {
  char buf[4096];
  ssize_t n;
  if (!root_fd_) {
    n = ::readlink(std::string(path).c_str(), buf, sizeof buf);
  } else {
    int fd = OpenInRoot(path, O_PATH | O_NOFOLLOW);
    if (fd < 0) return ErrnoStatus(path, errno);
    n = ::readlinkat(fd, "", buf, sizeof buf);
    int err = errno;
    ::close(fd);
    errno = err;
  }
  if (n < 0) return ErrnoStatus(path, errno);
  return std::string(buf, static_cast<size_t>(n));
}

Result<struct stat> HostFs::Stat(std::string_view path) const {
  struct stat st {};
  if (!root_fd_) {
    if (::stat(std::string(path).c_str(), &st) != 0) return ErrnoStatus(path, errno);
    return st;
  }
  int fd = OpenInRoot(path, O_PATH);
  if (fd < 0) return ErrnoStatus(path, errno);
  int rc = ::fstat(fd, &st);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus(path, err);
  return st;
}

Result<struct stat> HostFs::Lstat(std::string_view path) const {
  struct stat st {};
  if (!root_fd_) {
    if (::lstat(std::string(path).c_str(), &st) != 0) return ErrnoStatus(path, errno);
    return st;
  }
  int fd = OpenInRoot(path, O_PATH | O_NOFOLLOW);
  if (fd < 0) return ErrnoStatus(path, errno);
  int rc = ::fstat(fd, &st);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus(path, err);
  return st;
}

bool HostFs::Exists(std::string_view path) const { return Lstat(path).ok(); }

bool HostFs::IsDirectory(std::string_view path) const {
  auto st = Stat(path);
  return st.ok() && S_ISDIR(st->st_mode);
}

Status HostFs::ForEachLine(std::string_view path,
                           const std::function<bool(std::string_view)>& fn) const {
  ASSIGN_OR_RETURN(std::string data, ReadFile(path));
  std::string_view rest = data;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!fn(line)) break;
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  return Status::Ok();
}

Result<int> HostFs::OpenInUserArea(const UserArea& area, std::string_view relative,
                                   int flags) const {
  const std::string shown = JoinUnder(area.dir, relative);
  int dir_fd = OpenInRoot(area.dir, O_PATH | O_DIRECTORY);
  if (dir_fd < 0) return ErrnoStatus(area.dir, errno);
  FdGuard dir(dir_fd);
  if (area.dir_named_by_user) {
    struct stat st {};
    if (::fstat(dir.get(), &st) != 0) return ErrnoStatus(area.dir, errno);
    if (st.st_uid != area.uid)
      return Refused(area.dir, "directory belongs to uid " + std::to_string(st.st_uid) +
                                   ", not to uid " + std::to_string(area.uid) +
                                   " whose files name it; not read");
  }
  // The area's own path as a prefix, for absolute symlink targets.
  std::string area_prefix = JoinUnder(area.dir, "");
  if (area_prefix != "/") area_prefix.push_back('/');

  while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  std::string rel = relative.empty() ? std::string(".") : std::string(relative);
  for (int hop = 0;; ++hop) {
    auto outside = [&] { return Refused(shown, "leads outside " + area.dir + "; not followed"); };
    int fd = OpenBeneath(dir.get(), rel, flags | O_NOFOLLOW);
    int err = errno;
    int link_fd = -1;
    if (fd >= 0) {
      // O_PATH | O_NOFOLLOW opens a final symlink itself rather than failing.
      struct stat st {};
      if ((flags & O_PATH) == 0 || ::fstat(fd, &st) != 0 || !S_ISLNK(st.st_mode)) return fd;
      link_fd = fd;
    } else {
      if (err == EXDEV) return outside();
      // A final symlink fails with ELOOP, or ENOTDIR under O_DIRECTORY.
      if (err != ELOOP && err != ENOTDIR) return ErrnoStatus(shown, err);
      link_fd = OpenBeneath(dir.get(), rel, O_PATH | O_NOFOLLOW);
      if (link_fd < 0) return errno == EXDEV ? outside() : ErrnoStatus(shown, err);
    }
    FdGuard link(link_fd);
    struct stat link_st {};
    if (::fstat(link.get(), &link_st) != 0) return ErrnoStatus(shown, errno);
    if (!S_ISLNK(link_st.st_mode)) return ErrnoStatus(shown, err);
    if (!OwnerAccepted(link_st, area))
      return Refused(shown, "symlink belongs to uid " + std::to_string(link_st.st_uid) +
                                ", not to uid " + std::to_string(area.uid) + "; not followed");
    if (hop == kMaxUserSymlinkHops)
      return Refused(shown, "more than " + std::to_string(kMaxUserSymlinkHops) +
                                " symlinks in a row; not followed");
    char buf[4096];
    ssize_t n = ::readlinkat(link.get(), "", buf, sizeof buf);
    if (n < 0) return ErrnoStatus(shown, errno);
    std::string target(buf, static_cast<size_t>(n));
    if (target.empty()) return ErrnoStatus(shown, ENOENT);
    if (target.front() == '/') {
      // Absolute: acceptable only when it names a path inside the area; the
      // kernel still checks each component beneath it.
      if (target.compare(0, area_prefix.size(), area_prefix) != 0)
        return Refused(shown,
                       "symlink to " + target + " leads outside " + area.dir + "; not followed");
      rel = target.substr(area_prefix.size());
      if (rel.empty()) rel = ".";
    } else {
      size_t slash = rel.rfind('/');
      rel = slash == std::string::npos ? target : rel.substr(0, slash + 1) + target;
    }
  }
}

Result<std::string> HostFs::ReadUserFile(const UserArea& area, std::string_view relative,
                                         size_t max_bytes,
                                         const std::function<bool()>& cancelled) const {
  const std::string shown = JoinUnder(area.dir, relative);
  ASSIGN_OR_RETURN(int raw_fd, OpenInUserArea(area, relative, O_RDONLY | O_NONBLOCK | O_NOCTTY));
  FdGuard fd(raw_fd);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(shown, errno);
  if (!S_ISREG(st.st_mode))
    return Refused(
        shown, std::string("is a ") + FileKindName(st.st_mode) + ", not a regular file; not read");
  if (!OwnerAccepted(st, area)) return OwnerRefused(shown, st, area);
  auto too_large = [&] {
    return InvalidArgument(shown + ": larger than the " + std::to_string(max_bytes) +
                           "-byte limit for this file; not read");
  };
  if (static_cast<uint64_t>(st.st_size) > max_bytes) return too_large();
  std::string data;
  data.resize(std::min<size_t>(static_cast<size_t>(st.st_size), max_bytes) + 1);
  size_t used = 0;
  for (;;) {
    if (cancelled && cancelled()) return Timeout(shown + ": reading cancelled");
    if (used == data.size()) {
      if (data.size() > max_bytes) return too_large();  // grew while we read it
      data.resize(std::min(data.size() * 2, max_bytes + 1));
    }
    size_t want = std::min<size_t>(data.size() - used, 1u << 20);
    ssize_t n = ::read(fd.get(), data.data() + used, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(shown, errno);
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  if (used > max_bytes) return too_large();
  data.resize(used);
  return data;
}

Result<std::vector<std::string>> HostFs::ListUserDir(const UserArea& area,
                                                     std::string_view relative) const {
  const std::string shown = JoinUnder(area.dir, relative);
  ASSIGN_OR_RETURN(int fd, OpenInUserArea(area, relative, O_RDONLY | O_DIRECTORY));
  return ListOpenDir(fd, shown);
}

Result<struct stat> HostFs::StatUserPath(const UserArea& area, std::string_view relative) const {
  const std::string shown = JoinUnder(area.dir, relative);
  ASSIGN_OR_RETURN(int raw_fd, OpenInUserArea(area, relative, O_PATH));
  FdGuard fd(raw_fd);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(shown, errno);
  return st;
}

}  // namespace warden
