// The selinux_settings table: the live SELinux state from selinuxfs, as
// osquery's selinux_settings. selinuxfs is found in /proc/mounts (falling back
// to /sys/fs/selinux for images and fixtures); without it (SELinux disabled or
// absent, as on Debian) the table is empty. Rows, with osquery's scopes:
//   scope ""                     checkreqprot, deny_unknown, enforce, mls,
//                                policyvers, reject_unknown (raw value)
//   scope "booleans"             each boolean, "on"/"off" (its current value)
//   scope "policy_capabilities"  each capability, raw value ("1"/"0")
//   scope "initial_contexts"     each initial SID's context
//   scope "class"                key "<class>/perms", value: one permission
// Unlike osquery, a boolean whose pending value differs from its current one
// ("1 0") is still reported (by its current value), and unreadable keys are
// skipped instead of producing empty rows.
#include <algorithm>

#include "core/strings.h"
#include "tables/file_tables.h"
#include "tables/file_targets.h"

namespace warden {
namespace {

constexpr const char* kRootKeys[] = {"checkreqprot", "deny_unknown", "enforce",
                                     "mls",          "policyvers",   "reject_unknown"};
constexpr const char* kScopes[] = {"booleans", "policy_capabilities", "initial_contexts"};

std::string SelinuxfsPath(const HostFs& fs) {
  std::string found;
  (void)fs.ForEachLine("/proc/mounts", [&](std::string_view line) {
    auto fields = SplitWhitespace(line);
    if (fields.size() >= 3 && fields[2] == "selinuxfs") {
      found = std::string(fields[1]);
      return false;
    }
    return true;
  });
  return found.empty() ? "/sys/fs/selinux" : found;
}

// File contents without trailing NULs and surrounding whitespace.
std::optional<std::string> ReadValue(const HostFs& fs, const std::string& path) {
  auto text = fs.ReadFile(path, 64u << 10);
  if (!text.ok()) return std::nullopt;
  std::string_view v = *text;
  while (!v.empty() && v.back() == '\0') v.remove_suffix(1);
  return std::string(TrimWhitespace(v));
}

std::vector<std::string> SortedEntries(const HostFs& fs, const std::string& dir) {
  auto names = fs.ListDir(dir);
  if (!names.ok()) return {};
  std::sort(names->begin(), names->end());
  return std::move(names).value();
}

void AddSetting(RowWriter& out, std::string_view scope, std::string_view key,
                std::string_view value) {
  Row& row = out.Add();
  row.Set("scope", scope);
  row.Set("key", key);
  row.Set("value", value);
}

}  // namespace

void RegisterSelinuxSettingsTable(TableRegistry& r) {
  r.Add(TableSchema{"selinux_settings",
                    "Track active SELinux settings (from selinuxfs).",
                    {{"scope", ColumnType::kText, kNone, "",
                      "Where the key is located inside the SELinuxFS mount point."},
                     {"key", ColumnType::kText, kNone, "", "Key or class name."},
                     {"value", ColumnType::kText, kNone, "", "Active value."}}},
        [](const QueryContext& ctx, RowWriter& out) -> Status {
          const HostFs& fs = ctx.fs();
          std::string root = SelinuxfsPath(fs);
          if (!fs.Exists(root + "/enforce")) return Status::Ok();

          for (const char* key : kRootKeys)
            if (auto value = ReadValue(fs, root + "/" + key)) AddSetting(out, "", key, *value);

          for (const char* scope : kScopes) {
            std::string dir = root + "/" + scope;
            for (const std::string& key : SortedEntries(fs, dir)) {
              if (ctx.Cancelled()) return Status::Ok();
              std::string key_path = JoinPath(dir, key);
              if (fs.IsDirectory(key_path)) continue;
              auto value = ReadValue(fs, key_path);
              if (!value) continue;
              if (std::string_view(scope) == "booleans") {
                // "<current> <pending>"; the current value is what is enforced.
                auto fields = SplitWhitespace(*value);
                if (fields.empty() || (fields[0] != "0" && fields[0] != "1")) continue;
                *value = fields[0] == "1" ? "on" : "off";
              }
              AddSetting(out, scope, key, *value);
            }
          }

          std::string class_root = root + "/class";
          for (const std::string& cls : SortedEntries(fs, class_root)) {
            if (ctx.Cancelled()) return Status::Ok();
            for (const std::string& perm :
                 SortedEntries(fs, JoinPath(JoinPath(class_root, cls), "perms")))
              AddSetting(out, "class", cls + "/perms", perm);
          }
          return Status::Ok();
        });
}

}  // namespace warden
