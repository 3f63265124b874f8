// system_controls: kernel parameters (sysctls) from /proc/sys, with the
// value configured for boot from sysctl.d. Names are as sysctl(8) prints
// them: path components joined by '.', a '.' inside a component shown as
// '/' ("net.ipv4.conf.eth0/100.rp_filter"). Every value is text (type
// "string", as osquery reports on Linux); oid is NULL because Linux sysctls
// have no numeric MIB (oid = ... therefore matches nothing).
// WHERE name = reads just that file (or that subtree when the name is a
// directory, as osquery does); WHERE subsystem = walks only that top-level
// directory; otherwise all of /proc/sys is walked. Write-only controls are
// rows with a NULL current_value.
// config_value follows systemd-sysctl's precedence rather than osquery's
// fixed file order: *.conf files from /etc/sysctl.d, /run/sysctl.d,
// /usr/local/lib/sysctl.d, /usr/lib/sysctl.d and /lib/sysctl.d (a file in an
// earlier directory masks a same-named one in a later), applied in file name
// order, then /etc/sysctl.conf; the last assignment wins, and glob keys
// ("net.ipv4.conf.*.rp_filter") apply to every control they match.
#include <fnmatch.h>

#include <functional>
#include <map>
#include <optional>
#include <set>

#include "core/strings.h"
#include "sql/table.h"
#include "tables/sysfs_attributes.h"
#include "tables/system_tables.h"

namespace warden {
namespace {

constexpr std::string_view kProcSys = "/proc/sys";
constexpr int kMaxDepth = 16;

// Swaps '.' and '/': converts between a control's name and its path below
// /proc/sys, in either direction.
std::string SwapDotsAndSlashes(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = c == '.' ? '/' : c == '/' ? '.' : c;
  return out;
}

// True when every '/'-separated component is a plain name (no "", ".", "..")
// so a constrained name cannot walk out of /proc/sys.
bool IsSafeRelativePath(std::string_view path) {
  if (path.empty()) return false;
  for (std::string_view part : SplitString(path, '/'))
    if (part.empty() || part == "." || part == "..") return false;
  return true;
}

struct ConfigAssignment {
  std::string key;  // a name in dotted form, possibly a glob
  std::string value;
};

// One sysctl.d file's "key = value" lines, keys normalised to dotted names.
void ParseSysctlConfig(std::string_view text, std::vector<ConfigAssignment>& out) {
  for (std::string_view line : SplitString(text, '\n')) {
    line = TrimWhitespace(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = TrimWhitespace(line.substr(0, eq));
    if (!key.empty() && key.front() == '-') key.remove_prefix(1);  // "ignore failure" marker
    if (key.empty()) continue;
    // A key whose first separator is '/' is written in path form.
    size_t first_sep = key.find_first_of("./");
    std::string name = first_sep != std::string_view::npos && key[first_sep] == '/'
                           ? SwapDotsAndSlashes(key)
                           : std::string(key);
    out.push_back({std::move(name), std::string(TrimWhitespace(line.substr(eq + 1)))});
  }
}

std::vector<ConfigAssignment> ReadSysctlConfig(const HostFs& fs) {
  static constexpr const char* kDirs[] = {"/etc/sysctl.d", "/run/sysctl.d",
                                          "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
                                          "/lib/sysctl.d"};
  std::map<std::string, std::string> files;  // file name -> path of the winning copy
  for (const char* dir : kDirs) {
    for (const std::string& name : ListDirSorted(fs, dir)) {
      if (!EndsWith(name, ".conf")) continue;
      files.emplace(name, std::string(dir) + "/" + name);  // earlier directories win
    }
  }
  std::vector<ConfigAssignment> assignments;
  for (const auto& [name, path] : files) {
    auto text = fs.ReadFile(path, 1 << 20);
    if (text.ok()) ParseSysctlConfig(*text, assignments);
  }
  if (auto text = fs.ReadFile("/etc/sysctl.conf", 1 << 20); text.ok())
    ParseSysctlConfig(*text, assignments);
  return assignments;
}

class ControlWalker {
 public:
  ControlWalker(const QueryContext& ctx, RowWriter& out)
      : ctx_(ctx), out_(out), want_value_(ctx.IsUsed("current_value")) {
    if (ctx.IsUsed("config_value")) config_ = ReadSysctlConfig(ctx.fs());
  }

  // Emits the control at `relative` (a path below /proc/sys), or every
  // control below it when it is a directory. `reported_name` overrides the
  // row's name for a single control (a name looked up in osquery's form).
  void Emit(const std::string& relative, int depth, const std::string& reported_name = "") {
    if (depth > kMaxDepth || ctx_.Cancelled()) return;
    const std::string path = std::string(kProcSys) + "/" + relative;
    auto st = ctx_.fs().Lstat(path);
    if (!st.ok()) return;  // vanished (a network interface went away)
    if (S_ISDIR(st->st_mode)) {
      for (const std::string& child : ListDirSorted(ctx_.fs(), path))
        Emit(relative + "/" + child, depth + 1);
      return;
    }
    if (!S_ISREG(st->st_mode)) return;
    std::string name = reported_name.empty() ? SwapDotsAndSlashes(relative) : reported_name;
    Row& row = out_.Add();
    row.Set("subsystem", name.substr(0, name.find('.')));
    if (want_value_) {
      // Write-only controls (vm.compact_memory) cannot be read: NULL.
      if (auto value = ctx_.fs().ReadFile(path, 1 << 20); value.ok())
        row.Set("current_value", TrimWhitespace(*value));
    }
    if (const std::string* config = ConfigValue(name)) row.Set("config_value", *config);
    row.Set("type", "string");
    row.Set("name", std::move(name));
  }

 private:
  const std::string* ConfigValue(const std::string& name) const {
    const std::string* found = nullptr;
    for (const auto& a : config_)
      if (a.key == name || ::fnmatch(a.key.c_str(), name.c_str(), 0) == 0) found = &a.value;
    return found;
  }

  const QueryContext& ctx_;
  RowWriter& out_;
  bool want_value_;
  std::vector<ConfigAssignment> config_;
};

// Finds the path below /proc/sys of a name whose components may themselves
// contain dots: at each level, joins 1..n of the remaining dot-separated
// parts and keeps the first join that exists. Bounded so a long name of
// dots cannot make it search forever.
std::optional<std::string> ResolveDottedName(const HostFs& fs, std::string_view name) {
  std::vector<std::string_view> parts = SplitString(name, '.');
  if (parts.size() > 32) return std::nullopt;
  int budget = 256;
  std::function<std::optional<std::string>(size_t, const std::string&)> resolve =
      [&](size_t next, const std::string& prefix) -> std::optional<std::string> {
    if (next == parts.size()) return prefix;
    std::string component;
    for (size_t end = next; end < parts.size(); ++end) {
      if (--budget < 0) return std::nullopt;
      if (end > next) component += '.';
      component.append(parts[end]);
      std::string candidate = prefix.empty() ? component : prefix + "/" + component;
      if (!IsSafeRelativePath(candidate) || !fs.Exists(std::string(kProcSys) + "/" + candidate))
        continue;
      if (auto found = resolve(end + 1, candidate)) return found;
    }
    return std::nullopt;
  };
  return resolve(0, "");
}

Status GenerateSystemControls(const QueryContext& ctx, RowWriter& out) {
  ControlWalker walker(ctx, out);
  if (auto names = ctx.TextEquals("name")) {
    std::set<std::string> seen;
    for (const std::string& name : *names) {
      if (!seen.insert(name).second) continue;
      std::string relative = SwapDotsAndSlashes(name);
      if (IsSafeRelativePath(relative) && ctx.fs().Exists(std::string(kProcSys) + "/" + relative)) {
        walker.Emit(relative, 0);
        continue;
      }
      // osquery's form treats every '.' as a separator, so a component that
      // contains dots ("eth0.100") must be found among the directory entries.
      if (auto path = ResolveDottedName(ctx.fs(), name)) walker.Emit(*path, 0, name);
    }
    return Status::Ok();
  }
  if (ctx.TextEquals("oid")) return Status::Ok();  // Linux has no sysctl OIDs
  if (auto subsystems = ctx.TextEquals("subsystem")) {
    for (const std::string& subsystem :
         std::set<std::string>(subsystems->begin(), subsystems->end()))
      if (IsSafeRelativePath(subsystem) && subsystem.find('/') == std::string::npos)
        walker.Emit(subsystem, 0);
    return Status::Ok();
  }
  for (const std::string& subsystem : ListDirSorted(ctx.fs(), kProcSys)) walker.Emit(subsystem, 0);
  return Status::Ok();
}

}  // namespace

void RegisterSystemControlsTable(TableRegistry& registry) {
  registry.Add(TableSchema{"system_controls",
                           "Kernel parameters (sysctl) with their current and configured values.",
                           {{"name", ColumnType::kText, kIndex},
                            {"oid", ColumnType::kText, kAdditional},
                            {"subsystem", ColumnType::kText, kAdditional},
                            {"current_value", ColumnType::kText},
                            {"config_value", ColumnType::kText},
                            {"type", ColumnType::kText}}},
               GenerateSystemControls);
}

}  // namespace warden
