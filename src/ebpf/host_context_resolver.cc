#include "ebpf/host_context_resolver.h"

#include <sys/stat.h>
#include <time.h>

#include <cctype>
#include <filesystem>

#include "core/host_fs.h"
#include "tables/passwd_reader.h"

namespace warden {

namespace {

constexpr int64_t kReloadIntervalNs = 5'000'000'000;
constexpr size_t kMaxCgroups = 100000;

int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

HostContextResolver::HostContextResolver(std::string cgroup_root, std::string passwd_path)
    : cgroup_root_(std::move(cgroup_root)), passwd_path_(std::move(passwd_path)) {}

std::string_view HostContextResolver::UserName(int64_t uid) {
  if (uid < 0) return {};
  auto it = users_.find(uid);
  if (it != users_.end()) return it->second;
  if (MonotonicNs() - users_loaded_ns_ < kReloadIntervalNs) return {};
  ReloadUsers();
  it = users_.find(uid);
  return it == users_.end() ? std::string_view() : std::string_view(it->second);
}

std::string_view HostContextResolver::CgroupPath(uint64_t cgroup_id) {
  if (cgroup_id == 0) return {};
  auto it = cgroups_.find(cgroup_id);
  if (it != cgroups_.end()) return it->second;
  if (MonotonicNs() - cgroups_loaded_ns_ < kReloadIntervalNs) return {};
  ReloadCgroups();
  it = cgroups_.find(cgroup_id);
  return it == cgroups_.end() ? std::string_view() : std::string_view(it->second);
}

void HostContextResolver::ReloadUsers() {
  users_loaded_ns_ = MonotonicNs();
  users_.clear();
  HostFs fs("/");
  auto text = fs.ReadFile(passwd_path_, 16 << 20);
  if (!text.ok()) return;
  for (const PasswdEntry& e : ParsePasswd(*text)) users_.try_emplace(e.uid, e.name);
}

void HostContextResolver::ReloadCgroups() {
  cgroups_loaded_ns_ = MonotonicNs();
  cgroups_.clear();
  std::error_code ec;
  struct stat st {};
  if (stat(cgroup_root_.c_str(), &st) == 0) cgroups_[st.st_ino] = "/";
  std::filesystem::recursive_directory_iterator it(
      cgroup_root_, std::filesystem::directory_options::skip_permission_denied, ec);
  for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (cgroups_.size() >= kMaxCgroups) break;
    if (!it->is_directory(ec) || it->is_symlink(ec)) {
      continue;
    }
    if (stat(it->path().c_str(), &st) != 0) continue;
    std::string rel = it->path().string().substr(cgroup_root_.size());
    cgroups_[st.st_ino] = rel.empty() ? "/" : rel;
  }
}

std::string_view HostContextResolver::ContainerIdOf(std::string_view path) {
  // The last run of exactly 64 hex digits.
  std::string_view found;
  size_t i = 0;
  while (i < path.size()) {
    if (!std::isxdigit(static_cast<unsigned char>(path[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < path.size() && std::isxdigit(static_cast<unsigned char>(path[j]))) ++j;
    if (j - i == 64) found = path.substr(i, 64);
    i = j;
  }
  return found;
}

}  // namespace warden
