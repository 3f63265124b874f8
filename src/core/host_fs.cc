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
  int fd = OpenInRoot(path, O_RDONLY);
  if (fd < 0) return ErrnoStatus(path, errno);
  return ReadAll(fd, path, max_bytes, false);
}

Result<std::string> HostFs::ReadProcFile(std::string_view path, size_t max_bytes) const {
  int fd = OpenInRoot(path, O_RDONLY);
  if (fd < 0) return ErrnoStatus(path, errno);
  return ReadAll(fd, path, max_bytes, true);
}

Result<std::vector<std::string>> HostFs::ListDir(std::string_view path) const {
  int fd = OpenInRoot(path, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return ErrnoStatus(path, errno);
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

}  // namespace warden
