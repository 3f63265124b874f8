// The apparmor_profiles table: the AppArmor profiles loaded in the kernel, as
// osquery's apparmor_profiles, read from securityfs
// (/sys/kernel/security/apparmor/policy/profiles/<dir>/{name,mode,attach,
// sha1,sha256}). Child profiles (hats) live in <dir>/profiles/ and are listed
// with path "<parent path>//<name>" (osquery prefixes only the direct
// parent's name, which is the same for the usual one level of nesting).
// Without AppArmor (or securityfs not mounted) the table is empty. A profile
// whose name cannot be read is skipped; a missing hash file (the kernel
// hashes with sha1 or sha256, or not at all) leaves that column NULL.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/strings.h"
#include "tables/file_tables.h"
#include "tables/file_targets.h"

namespace warden {
namespace {

constexpr const char* kProfilesDir = "/sys/kernel/security/apparmor/policy/profiles";
// Hats nest rarely more than once; the limit only guards against odd trees.
constexpr int kMaxNesting = 16;

std::optional<std::string> ReadTrimmed(const HostFs& fs, const std::string& path) {
  auto text = fs.ReadFile(path, 1u << 20);
  if (!text.ok()) return std::nullopt;
  std::string_view v = *text;
  while (!v.empty() && v.back() == '\0') v.remove_suffix(1);
  return std::string(TrimWhitespace(v));
}

void AddProfiles(const QueryContext& ctx, const std::string& dir, const std::string& parent_path,
                 int depth, RowWriter& out) {
  const HostFs& fs = ctx.fs();
  auto entries = fs.ListDir(dir);
  if (!entries.ok()) return;
  std::sort(entries->begin(), entries->end());
  for (const std::string& entry : *entries) {
    if (ctx.Cancelled()) return;
    std::string profile_dir = JoinPath(dir, entry);
    if (!fs.IsDirectory(profile_dir)) continue;
    auto name = ReadTrimmed(fs, profile_dir + "/name");
    if (!name || name->empty()) continue;
    std::string path = parent_path.empty() ? *name : parent_path + "//" + *name;
    Row& row = out.Add();
    row.Set("path", path);
    row.Set("name", *name);
    if (auto attach = ReadTrimmed(fs, profile_dir + "/attach")) row.Set("attach", *attach);
    if (auto mode = ReadTrimmed(fs, profile_dir + "/mode")) row.Set("mode", *mode);
    if (auto sha1 = ReadTrimmed(fs, profile_dir + "/sha1"); sha1 && !sha1->empty())
      row.Set("sha1", *sha1);
    if (auto sha256 = ReadTrimmed(fs, profile_dir + "/sha256"); sha256 && !sha256->empty())
      row.Set("sha256", *sha256);
    if (depth < kMaxNesting) AddProfiles(ctx, profile_dir + "/profiles", path, depth + 1, out);
  }
}

}  // namespace

void RegisterApparmorProfilesTable(TableRegistry& r) {
  r.Add(TableSchema{"apparmor_profiles",
                    "Track active AppArmor profiles.",
                    {{"path", ColumnType::kText, kIndex, "",
                      "Unique, aa-status compatible, policy identifier."},
                     {"name", ColumnType::kText, kNone, "", "Policy name."},
                     {"attach", ColumnType::kText, kNone, "",
                      "Which executable(s) a profile will attach to."},
                     {"mode", ColumnType::kText, kNone, "", "How the policy is applied."},
                     {"sha1", ColumnType::kText, kNone, "nocase",
                      "A unique hash that identifies this policy."},
                     {"sha256", ColumnType::kText, kNone, "nocase",
                      "A unique hash that identifies this policy."}}},
        [](const QueryContext& ctx, RowWriter& out) -> Status {
          AddProfiles(ctx, kProfilesDir, "", 0, out);
          return Status::Ok();
        });
}

}  // namespace warden
