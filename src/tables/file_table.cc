// The file table: stat(2) information about files the query names, as
// osquery's `file`. A query must constrain path (=, IN, LIKE, GLOB) or
// directory (lists that directory's entries); see file_targets.h for the
// pattern rules. Values follow osquery: fields describe the symlink's target
// (stat), falling back to the link itself when it dangles; symlink is 1 for a
// link (lstat); mode is the permission bits as 4 octal digits ("0644",
// "4755"); device is st_rdev; times are epoch seconds; btime comes from
// statx(2) where the filesystem records it, else 0 (osquery always says 0 on
// Linux). type is the target's type ("regular", "directory", "character",
// "block", "fifo", "socket"), or "symlink" for a dangling link.
// pid_with_namespace = N reads the file as process N sees it
// (/proc/N/root/...); without it the column is 0, as in osquery. Paths that do
// not exist produce no row. Windows/macOS-only columns are not declared.
// Rows stream (table.h): a recursive pattern over a whole tree is walked as
// SQLite consumes the rows, in bounded memory.
#include <fcntl.h>
#include <sys/stat.h>

#include <cstdio>

#include "tables/file_tables.h"
#include "tables/file_targets.h"

namespace warden {
namespace {

std::string ModeOctal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

const char* FileTypeName(mode_t mode) {
  if (S_ISREG(mode)) return "regular";
  if (S_ISDIR(mode)) return "directory";
  if (S_ISLNK(mode)) return "symlink";
  if (S_ISCHR(mode)) return "character";
  if (S_ISBLK(mode)) return "block";
  if (S_ISFIFO(mode)) return "fifo";
  if (S_ISSOCK(mode)) return "socket";
  return "unknown";
}

// Birth time in epoch seconds, or 0 when the filesystem does not record it.
int64_t BirthTime(const std::string& real_path, bool follow) {
  struct statx stx {};
  int flags = AT_STATX_SYNC_AS_STAT | (follow ? 0 : AT_SYMLINK_NOFOLLOW);
  if (::statx(AT_FDCWD, real_path.c_str(), flags, STATX_BTIME, &stx) != 0) return 0;
  if ((stx.stx_mask & STATX_BTIME) == 0) return 0;
  return static_cast<int64_t>(stx.stx_btime.tv_sec);
}

Status AddFileRow(const QueryContext& ctx, const NamespaceView& view, const FileTarget& target,
                  RowWriter& out) {
  const HostFs& fs = ctx.fs();
  std::string host_path = view.fs_prefix + target.path;
  auto link = fs.Lstat(host_path);
  if (!link.ok()) return Status::Ok();  // does not exist, or vanished since it was listed
  bool is_link = S_ISLNK(link->st_mode);
  auto followed = is_link ? fs.Stat(host_path) : link;
  bool dangling = !followed.ok();
  const struct stat& st = dangling ? *link : *followed;

  Row& row = out.Add();
  row.Set("path", target.path);
  row.Set("directory", target.directory);
  row.Set("filename", FileNameOf(target.path));
  row.Set("inode", static_cast<int64_t>(st.st_ino));
  row.Set("uid", static_cast<int64_t>(st.st_uid));
  row.Set("gid", static_cast<int64_t>(st.st_gid));
  row.Set("mode", ModeOctal(st.st_mode));
  row.Set("device", static_cast<int64_t>(st.st_rdev));
  row.Set("size", static_cast<int64_t>(st.st_size));
  row.Set("block_size", static_cast<int64_t>(st.st_blksize));
  row.Set("atime", static_cast<int64_t>(st.st_atime));
  row.Set("mtime", static_cast<int64_t>(st.st_mtime));
  row.Set("ctime", static_cast<int64_t>(st.st_ctime));
  if (ctx.IsUsed("btime")) row.Set("btime", BirthTime(fs.RealPath(host_path), !dangling));
  row.Set("hard_links", static_cast<int64_t>(st.st_nlink));
  row.Set("symlink", is_link);
  row.Set("type", FileTypeName(st.st_mode));
  if (is_link) {
    if (auto target_path = fs.ReadLink(host_path); target_path.ok())
      row.Set("symlink_target_path", *target_path);
  }
  row.Set("pid_with_namespace", view.pid);
  if (!view.mount_namespace_id.empty()) row.Set("mount_namespace_id", view.mount_namespace_id);
  return Status::Ok();
}

}  // namespace

void RegisterFileTable(TableRegistry& r) {
  constexpr uint32_t kPathOptions = kRequired | kIndex | kOptimized;
  r.AddStreaming(
      TableSchema{
          "file",
          "Interactive filesystem attributes and metadata (stat) of the files a query "
          "names by path or directory.",
          {{"path", ColumnType::kText, kPathOptions, "", "Absolute file path"},
           {"directory", ColumnType::kText, kRequired | kOptimized, "", "Directory of file(s)"},
           {"filename", ColumnType::kText, kNone, "", "Name portion of file path"},
           {"inode", ColumnType::kBigInt, kNone, "", "Filesystem inode number"},
           {"uid", ColumnType::kBigInt, kNone, "", "Owning user ID"},
           {"gid", ColumnType::kBigInt, kNone, "", "Owning group ID"},
           {"mode", ColumnType::kText, kNone, "", "Permission bits, 4 octal digits"},
           {"device", ColumnType::kBigInt, kNone, "", "Device ID (optional)"},
           {"size", ColumnType::kBigInt, kNone, "", "Size of file in bytes"},
           {"block_size", ColumnType::kInteger, kNone, "", "Block size of filesystem"},
           {"atime", ColumnType::kBigInt, kNone, "", "Last access time"},
           {"mtime", ColumnType::kBigInt, kNone, "", "Last modification time"},
           {"ctime", ColumnType::kBigInt, kNone, "", "Last status change time"},
           {"btime", ColumnType::kBigInt, kNone, "", "(B)irth or (cr)eate time, 0 if unknown"},
           {"hard_links", ColumnType::kInteger, kNone, "", "Number of hard links"},
           {"symlink", ColumnType::kInteger, kNone, "", "1 if the path is a symlink, otherwise 0"},
           {"type", ColumnType::kText, kNone, "", "File status"},
           {"symlink_target_path", ColumnType::kText, kNone, "",
            "Target of the symlink, as stored in the link"},
           {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput, "",
            "Pids that contain a namespace"},
           {"mount_namespace_id", ColumnType::kText, kHidden, "", "Mount namespace id"}}},
      [](const QueryContext& ctx) -> Result<std::unique_ptr<RowStream>> {
        return StreamFileTargetRows(
            ctx, [&ctx](const NamespaceView& view, const FileTarget& target, RowWriter& out) {
              return AddFileRow(ctx, view, target, out);
            });
      });
}

}  // namespace warden
