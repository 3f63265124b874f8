// The magic table: libmagic's description of the files a query names, as
// osquery's `magic` (the same text as file(1), plus the MIME type and
// encoding). path is required (=, IN, LIKE, GLOB; see file_targets.h).
// Symlinks are described as links, not followed (file(1)'s default on Linux).
// magic_db_files = 'a.mgc:b.mgc' loads those magic databases instead of the
// system default; it names files on the machine Warden runs on (it is a tool
// input, not host state), and an unloadable database is an error. Paths that
// do not exist give no row; a file libmagic cannot read gives NULL values.
// One libmagic handle per query: it is not thread-safe, and loading the
// default database costs a few milliseconds only.
#include <magic.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tables/file_tables.h"
#include "tables/file_targets.h"

namespace warden {
namespace {

struct MagicCloser {
  void operator()(magic_set* cookie) const { magic_close(cookie); }
};
using MagicCookie = std::unique_ptr<magic_set, MagicCloser>;

std::optional<std::string> Describe(magic_t cookie, int flags, const std::string& real_path) {
  if (magic_setflags(cookie, flags | MAGIC_ERROR) != 0) return std::nullopt;
  const char* text = magic_file(cookie, real_path.c_str());
  if (text == nullptr) return std::nullopt;
  return std::string(text);
}

}  // namespace

void RegisterMagicTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "magic",
          "Magic number recognition (libmagic): what kind of data the files a query "
          "names contain.",
          {{"path", ColumnType::kText, kRequired | kIndex, "", "Absolute path to target file"},
           {"magic_db_files", ColumnType::kText, kAdditional, "",
            "Colon(:) separated list of files where the magic db file can be found. By "
            "default one of the following is used: /usr/share/file/magic/magic, "
            "/usr/share/misc/magic or /usr/share/misc/magic.mgc"},
           {"data", ColumnType::kText, kNone, "", "Magic number data from libmagic"},
           {"mime_type", ColumnType::kText, kNone, "", "MIME type data from libmagic"},
           {"mime_encoding", ColumnType::kText, kNone, "", "MIME encoding data from libmagic"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        ASSIGN_OR_RETURN(std::vector<FileTarget> targets,
                         ResolveFileTargets(ctx, "", /*has_directory_column=*/false));
        if (targets.empty()) return Status::Ok();

        // Each magic_db_files value is its own database list; without one,
        // the system default (nullptr).
        std::vector<std::optional<std::string>> databases;
        if (auto db = ctx.TextEquals("magic_db_files")) {
          for (std::string& d : *db) databases.emplace_back(std::move(d));
        } else {
          databases.emplace_back(std::nullopt);
        }
        for (const auto& database : databases) {
          MagicCookie cookie(magic_open(MAGIC_NONE));
          if (!cookie) return Internal("libmagic: magic_open failed");
          if (magic_load(cookie.get(), database ? database->c_str() : nullptr) != 0) {
            const char* why = magic_error(cookie.get());
            return InvalidArgument("magic: cannot load magic database '" +
                                   database.value_or("(default)") +
                                   "': " + (why ? why : "unknown error"));
          }
          for (const FileTarget& target : targets) {
            if (ctx.Cancelled()) return Status::Ok();
            if (!ctx.fs().Exists(target.path)) continue;
            std::string real = ctx.fs().RealPath(target.path);
            Row& row = out.Add();
            row.Set("path", target.path);
            if (database) row.Set("magic_db_files", *database);
            if (ctx.IsUsed("data"))
              if (auto v = Describe(cookie.get(), MAGIC_NONE, real)) row.Set("data", *v);
            if (ctx.IsUsed("mime_type"))
              if (auto v = Describe(cookie.get(), MAGIC_MIME_TYPE, real)) row.Set("mime_type", *v);
            if (ctx.IsUsed("mime_encoding"))
              if (auto v = Describe(cookie.get(), MAGIC_MIME_ENCODING, real))
                row.Set("mime_encoding", *v);
          }
        }
        return Status::Ok();
      });
}

}  // namespace warden
