// mounts: mounted filesystems from /proc/mounts (the querying process's
// mount namespace), with statfs(2) sizes. Fields are decoded as getmntent
// does (\040 is a space, ...). device_alias is the device path with
// symlinks resolved (/dev/disk/by-uuid/... -> /dev/sda1), NULL when the
// device is not a path that exists. flags is the mount options text.
// Sizes come from statfs on the live host only (a fixture tree or mounted
// image has no such mounts: the columns are NULL there). Like osquery,
// autofs mounts are not statfs'd (that would trigger the automount); unlike
// osquery, network filesystems are not either, because statfs on an
// unreachable NFS/CIFS server blocks the query indefinitely.
#include <sys/vfs.h>

#include <set>

#include "core/strings.h"
#include "sql/table.h"
#include "tables/system_tables.h"

namespace warden {
namespace {

// Undoes /proc/mounts' octal escapes of space, tab, newline and backslash.
std::string DecodeMountField(std::string_view field) {
  auto is_octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && is_octal(field[i + 1]) &&
        is_octal(field[i + 2]) && is_octal(field[i + 3])) {
      out += static_cast<char>(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) |
                               (field[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += field[i];
  }
  return out;
}

// The path with every symlink resolved inside the HostFs, or nullopt when a
// component does not exist. Bounded like the kernel's 40 link hops.
std::optional<std::string> ResolvePath(const HostFs& fs, std::string_view path) {
  std::vector<std::string> pending;  // components still to walk, last first
  auto push_components = [&pending](std::string_view p) {
    std::vector<std::string_view> parts = SplitString(p, '/');
    for (auto it = parts.rbegin(); it != parts.rend(); ++it)
      if (!it->empty() && *it != ".") pending.emplace_back(*it);
  };
  push_components(path);
  std::vector<std::string> resolved;
  int hops = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.back());
    pending.pop_back();
    if (part == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    std::string current;
    for (const auto& r : resolved) current += "/" + r;
    current += "/" + part;
    auto st = fs.Lstat(current);
    if (!st.ok()) return std::nullopt;
    if (S_ISLNK(st->st_mode)) {
      if (++hops > 40) return std::nullopt;
      auto target = fs.ReadLink(current);
      if (!target.ok()) return std::nullopt;
      if (!target->empty() && target->front() == '/') resolved.clear();
      push_components(*target);
      continue;
    }
    resolved.push_back(std::move(part));
  }
  std::string out;
  for (const auto& r : resolved) out += "/" + r;
  return out.empty() ? std::string("/") : out;
}

bool IsNetworkFilesystem(std::string_view type) {
  static const std::set<std::string_view> kNetwork = {
      "nfs",  "nfs4",      "cifs", "smb3",   "smbfs",      "ncpfs",          "afs",
      "ceph", "glusterfs", "9p",   "lustre", "fuse.sshfs", "fuse.glusterfs", "fuse.s3fs"};
  return kNetwork.count(type) > 0;
}

}  // namespace

void RegisterMountsTable(TableRegistry& registry) {
  registry.Add(TableSchema{"mounts",
                           "Mounted filesystems with their sizes and mount options.",
                           {{"device", ColumnType::kText},
                            {"device_alias", ColumnType::kText},
                            {"path", ColumnType::kText},
                            {"type", ColumnType::kText},
                            {"blocks_size", ColumnType::kBigInt},
                            {"blocks", ColumnType::kBigInt},
                            {"blocks_free", ColumnType::kBigInt},
                            {"blocks_available", ColumnType::kBigInt},
                            {"inodes", ColumnType::kBigInt},
                            {"inodes_free", ColumnType::kBigInt},
                            {"flags", ColumnType::kText}}},
               [](const QueryContext& ctx, RowWriter& out) -> Status {
                 auto text = ctx.fs().ReadFile("/proc/mounts", 64u << 20);
                 if (!text.ok()) return Status::Ok();
                 const bool want_alias = ctx.IsUsed("device_alias");
                 const bool want_sizes =
                     ctx.fs().is_live() &&
                     (ctx.IsUsed("blocks_size") || ctx.IsUsed("blocks") ||
                      ctx.IsUsed("blocks_free") || ctx.IsUsed("blocks_available") ||
                      ctx.IsUsed("inodes") || ctx.IsUsed("inodes_free"));
                 for (std::string_view line : SplitString(*text, '\n')) {
                   if (ctx.Cancelled()) break;
                   auto fields = SplitWhitespace(line);
                   if (fields.size() < 4) continue;
                   std::string device = DecodeMountField(fields[0]);
                   std::string path = DecodeMountField(fields[1]);
                   std::string type = DecodeMountField(fields[2]);
                   Row& row = out.Add();
                   if (want_alias && !device.empty() && device.front() == '/')
                     row.Set("device_alias", ResolvePath(ctx.fs(), device));
                   if (want_sizes && type != "autofs" && !IsNetworkFilesystem(type)) {
                     struct statfs st {};
                     if (::statfs(path.c_str(), &st) == 0) {
                       row.Set("blocks_size", static_cast<int64_t>(st.f_bsize));
                       row.Set("blocks", static_cast<int64_t>(st.f_blocks));
                       row.Set("blocks_free", static_cast<int64_t>(st.f_bfree));
                       row.Set("blocks_available", static_cast<int64_t>(st.f_bavail));
                       row.Set("inodes", static_cast<int64_t>(st.f_files));
                       row.Set("inodes_free", static_cast<int64_t>(st.f_ffree));
                     }
                   }
                   row.Set("device", std::move(device));
                   row.Set("path", std::move(path));
                   row.Set("type", std::move(type));
                   row.Set("flags", DecodeMountField(fields[3]));
                 }
                 return Status::Ok();
               });
}

}  // namespace warden
