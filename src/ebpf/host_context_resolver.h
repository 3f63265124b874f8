// HostContextResolver adds to an event what the kernel record does not carry
// but people and rules want: the user name of a uid (from /etc/passwd) and
// the cgroup path of a cgroup id, with the container id found in it
// ("/system.slice/docker-<64 hex>.scope" -> "<64 hex>"). The eBPF side
// reports only the cgroup v2 id, which is the inode number of the cgroup's
// directory, so the path is found by indexing the directories of the cgroup
// mount.
//
// Both lookups are cached; a miss triggers a reload, at most once every few
// seconds, so a stream of unknown ids cannot turn into a stream of directory
// walks. Views returned stay valid until the next call that misses. Not
// thread-safe: one per pipeline.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace warden {

class HostContextResolver {
 public:
  explicit HostContextResolver(std::string cgroup_root = "/sys/fs/cgroup",
                               std::string passwd_path = "/etc/passwd");

  // "" when unknown.
  std::string_view UserName(int64_t uid);
  // The path below the cgroup mount ("/system.slice/ssh.service"); "" when unknown.
  std::string_view CgroupPath(uint64_t cgroup_id);

  // The container id in a cgroup path (the last 64-hex-digit run of docker,
  // containerd, cri-o, podman and kubepods paths), or "".
  static std::string_view ContainerIdOf(std::string_view cgroup_path);

 private:
  void ReloadUsers();
  void ReloadCgroups();

  std::string cgroup_root_;
  std::string passwd_path_;
  std::unordered_map<int64_t, std::string> users_;
  std::unordered_map<uint64_t, std::string> cgroups_;
  int64_t users_loaded_ns_ = INT64_MIN / 2;
  int64_t cgroups_loaded_ns_ = INT64_MIN / 2;
};

}  // namespace warden
