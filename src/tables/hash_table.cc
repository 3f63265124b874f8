// The hash table: md5, sha1 and sha256 of the files a query names, as
// osquery's `hash`. path (=, IN, LIKE, GLOB) or directory must be constrained
// (see file_targets.h). Only regular files get a row (symlinks are followed;
// directories, devices, FIFOs and sockets are skipped); only the digests the
// query selects are computed. Files over kMaxHashedFileBytes (50 MiB, osquery's
// read_max default) still get a row, with NULL digests, so "present but not
// hashed" is visible. Unreadable files are skipped. pid_with_namespace works as
// in the file table, and rows stream as they do there.
#include <sys/stat.h>

#include "tables/file_digest.h"
#include "tables/file_tables.h"
#include "tables/file_targets.h"

namespace warden {

void RegisterHashTable(TableRegistry& r) {
  r.AddStreaming(
      TableSchema{
          "hash",
          "Filesystem hash data (md5, sha1, sha256) of the regular files a query names "
          "by path or directory.",
          {{"path", ColumnType::kText, kRequired | kIndex | kOptimized, "",
            "Must provide a path or directory"},
           {"directory", ColumnType::kText, kRequired | kOptimized, "",
            "Must provide a path or directory"},
           {"md5", ColumnType::kText, kNone, "nocase", "MD5 hash of provided filesystem data"},
           {"sha1", ColumnType::kText, kNone, "nocase", "SHA1 hash of provided filesystem data"},
           {"sha256", ColumnType::kText, kNone, "nocase",
            "SHA256 hash of provided filesystem data"},
           {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional | kEchoInput, "",
            "Pids that contain a namespace"},
           {"mount_namespace_id", ColumnType::kText, kHidden, "", "Mount namespace id"}}},
      [](const QueryContext& ctx) -> Result<std::unique_ptr<RowStream>> {
        DigestSelection which{ctx.IsUsed("md5"), ctx.IsUsed("sha1"), ctx.IsUsed("sha256")};
        return StreamFileTargetRows(
            ctx,
            [&ctx, which](const NamespaceView& view, const FileTarget& target,
                          RowWriter& out) -> Status {
              auto cancelled = [&ctx] { return ctx.Cancelled(); };
              std::string host_path = view.fs_prefix + target.path;
              auto st = ctx.fs().Stat(host_path);
              if (!st.ok() || !S_ISREG(st->st_mode)) return Status::Ok();
              FileDigests digests;
              if (which.any() && st->st_size <= kMaxHashedFileBytes) {
                auto computed =
                    DigestFile(ctx.fs(), host_path, which, kMaxHashedFileBytes, cancelled);
                if (!computed.ok()) {
                  // Cancelled: the stream sees the expired budget and stops.
                  if (computed.status().code() == StatusCode::kTimeout) return Status::Ok();
                  // Unreadable, vanished, or grew past the limit mid-read: no
                  // row if it could not be opened, NULL digests otherwise.
                  if (computed.status().code() == StatusCode::kIoError) return Status::Ok();
                } else {
                  digests = std::move(computed).value();
                }
              }
              Row& row = out.Add();
              row.Set("path", target.path);
              row.Set("directory", target.directory);
              if (digests.md5) row.Set("md5", *digests.md5);
              if (digests.sha1) row.Set("sha1", *digests.sha1);
              if (digests.sha256) row.Set("sha256", *digests.sha256);
              row.Set("pid_with_namespace", view.pid);
              if (!view.mount_namespace_id.empty())
                row.Set("mount_namespace_id", view.mount_namespace_id);
              return Status::Ok();
            });
      });
}

}  // namespace warden
