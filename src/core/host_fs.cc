#include "core/host_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

namespace warden {

HostFs::HostFs(std::string root) : root_(std::move(root)) {
  if (root_.empty()) root_ = "/";
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
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

Result<std::string> HostFs::ReadFile(std::string_view path, size_t max_bytes) const {
  std::string real = RealPath(path);
  int fd = ::open(real.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, errno);
  std::string data;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return ErrnoStatus(path, err);
    }
    if (n == 0) break;
    if (data.size() + static_cast<size_t>(n) > max_bytes) {
      data.append(buf, max_bytes - data.size());
      break;
    }
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

Result<std::vector<std::string>> HostFs::ListDir(std::string_view path) const {
  std::string real = RealPath(path);
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(real.c_str()), ::closedir);
  if (!dir) return ErrnoStatus(path, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir.get())) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    names.emplace_back(n);
  }
  return names;
}

Result<std::string> HostFs::ReadLink(std::string_view path) const {
  std::string real = RealPath(path);
  char buf[4096];
  ssize_t n = ::readlink(real.c_str(), buf, sizeof buf);
  if (n < 0) return ErrnoStatus(path, errno);
  return std::string(buf, static_cast<size_t>(n));
}

Result<struct stat> HostFs::Stat(std::string_view path) const {
  struct stat st {};
  if (::stat(RealPath(path).c_str(), &st) != 0) return ErrnoStatus(path, errno);
  return st;
}

Result<struct stat> HostFs::Lstat(std::string_view path) const {
  struct stat st {};
  if (::lstat(RealPath(path).c_str(), &st) != 0) return ErrnoStatus(path, errno);
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
