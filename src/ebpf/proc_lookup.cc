#include "ebpf/proc_lookup.h"

#include <unistd.h>

#include "core/strings.h"
#include "tables/proc_reader.h"

namespace warden {

std::string ReadLinkOrEmpty(const std::string& path) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

bool FillIdsFromProc(const HostFs& proc, HostEvent* e) {
  auto status = proc.ReadFile(ProcPidPath(e->pid, "status"), 16384);
  if (!status.ok()) return false;
  ProcStatus st;
  if (!ParseProcStatus(*status, &st) || !st.has_ids) return false;
  e->uid = st.real_uid;
  e->euid = st.effective_uid;
  e->gid = st.real_gid;
  e->egid = st.effective_gid;
  for (std::string_view line : SplitString(*status, '\n')) {
    if (StartsWith(line, "PPid:")) ParseInt64(TrimWhitespace(line.substr(5)), &e->ppid);
    if (StartsWith(line, "Name:") && e->comm.empty())
      e->comm = std::string(TrimWhitespace(line.substr(5)));
  }
  return true;
}

std::unordered_map<uint64_t, int64_t> SocketInodeOwners(const HostFs& proc) {
  std::unordered_map<uint64_t, int64_t> owner;
  auto pids = ListProcessIds(proc);
  if (!pids.ok()) return owner;
  for (int64_t pid : *pids) {
    (void)ForEachFileDescriptor(proc, pid, [&](int64_t, std::string_view target) {
      uint64_t inode = 0;
      if (ParseBracketedInode(target, "socket:", &inode)) owner.try_emplace(inode, pid);
    });
  }
  return owner;
}

std::vector<MountInfoEntry> ReadMountInfo(const HostFs& proc) {
  std::vector<MountInfoEntry> mounts;
  auto text = proc.ReadFile("/proc/self/mountinfo");
  if (!text.ok()) return mounts;
  for (std::string_view line : SplitString(*text, '\n')) {
    // id parent major:minor root mount-point options [optional...] - type source super-options
    std::vector<std::string_view> f = SplitWhitespace(line);
    size_t dash = 0;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (f.size() < 5 || dash + 1 >= f.size()) continue;
    mounts.push_back({std::string(f[2]), std::string(f[4]), std::string(f[dash + 1])});
  }
  return mounts;
}

std::vector<SocketEntry> TcpListeners(const HostFs& proc) {
  std::vector<SocketEntry> sockets;
  for (const auto& [file, family] :
       {std::pair{"/proc/net/tcp", kFamilyInet}, std::pair{"/proc/net/tcp6", kFamilyInet6}}) {
    auto text = proc.ReadFile(file, 16 << 20);
    if (text.ok()) ParseInetSocketTable(*text, family, kProtocolTcp, 0, &sockets);
  }
  std::erase_if(sockets, [](const SocketEntry& s) { return s.state != kTcpListen; });
  return sockets;
}

}  // namespace warden
