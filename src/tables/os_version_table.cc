// os_version: the operating system's name and version, from /etc/os-release
// (through inventory's ReadOsRelease, the one os-release parser) as osquery
// maps it: NAME, VERSION, BUILD_ID, ID -> platform, ID_LIKE -> platform_like,
// VERSION_CODENAME (or a distribution's own *_CODENAME) -> codename, and
// VERSION_ID split on dots into major/minor/patch. Like osquery, a host with
// /etc/redhat-release (RHEL and its rebuilds) or /etc/gentoo-release is then
// described by that file: platform and platform_like become "rhel"/"gentoo",
// version is the release line. Defaults when nothing is known: name
// "Unknown", platform "posix", 0.0.0.
// pid_with_namespace = N reads the files inside process N's root (its mount
// namespace, e.g. a container) via /proc/N/root and reports that namespace's
// id; no other namespace switching is done.
#include <sys/utsname.h>

#include "core/strings.h"
#include "inventory/os_release.h"
#include "sql/table.h"
#include "tables/sysfs_attributes.h"
#include "tables/system_tables.h"

namespace warden {
namespace {

// Leading decimal digits of a VERSION_ID part ("04" -> 4, "3a" -> 3); 0 when none.
int64_t LeadingNumber(std::string_view text) {
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || value > 1'000'000'000) break;
    value = value * 10 + (c - '0');
  }
  return value;
}

// The machine architecture: the kernel's sysctl when readable (fixture trees
// and images carry it), else uname of the live host.
std::optional<std::string> MachineArch(const HostFs& fs) {
  if (auto arch = ReadAttribute(fs, "/proc/sys/kernel/arch"); arch && !arch->empty()) return arch;
  if (!fs.is_live()) return std::nullopt;
  struct utsname u {};
  if (::uname(&u) != 0) return std::nullopt;
  return std::string(u.machine);
}

// A version token "7.9.2009" / "9.3": leading digits, a dot, digits, and an
// optional ".<patch>".
bool ParseReleaseVersion(std::string_view token, int64_t* major, int64_t* minor, int64_t* patch) {
  auto digits = [](std::string_view t) {
    size_t n = 0;
    while (n < t.size() && t[n] >= '0' && t[n] <= '9') ++n;
    return n;
  };
  size_t a = digits(token);
  if (a == 0 || a >= token.size() || token[a] != '.') return false;
  std::string_view rest = token.substr(a + 1);
  size_t b = digits(rest);
  if (b == 0) return false;
  *major = LeadingNumber(token);
  *minor = LeadingNumber(rest);
  *patch = (b < rest.size() && rest[b] == '.') ? LeadingNumber(rest.substr(b + 1)) : 0;
  return true;
}

// Applies an old-style release file ("CentOS Linux release 7.9.2009 (Core)")
// as osquery's pattern `(name) <word> major.minor[.patch]` reads it: the
// first token shaped like a version that has at least two words before it;
// the name is those words without the last ("release"). Parsed by hand
// rather than with osquery's regular expression, whose backtracking is
// cubic in the line length.
void ApplyReleaseFile(std::string_view content, Row& row) {
  // osquery collapses runs of whitespace and trims the whole text.
  std::string collapsed;
  for (std::string_view word : SplitWhitespace(content)) {
    if (!collapsed.empty()) collapsed += ' ';
    collapsed.append(word);
  }
  row.Set("version", collapsed);
  row.Set("build", "");
  int lines = 0;
  for (std::string_view line : SplitString(content, '\n')) {
    if (++lines > 64) break;
    auto words = SplitWhitespace(line);
    for (size_t i = 2; i < words.size(); ++i) {
      int64_t major = 0, minor = 0, patch = 0;
      if (!ParseReleaseVersion(words[i], &major, &minor, &patch)) continue;
      std::string name;
      for (size_t w = 0; w + 1 < i; ++w) {
        if (!name.empty()) name += ' ';
        name.append(words[w]);
      }
      row.Set("name", name);
      row.Set("major", major);
      row.Set("minor", minor);
      row.Set("patch", patch);
      return;
    }
  }
}

void GenerateOsVersion(const HostFs& fs, const std::optional<std::string>& arch, Row& row) {
  row.Set("name", "Unknown");
  row.Set("major", 0);
  row.Set("minor", 0);
  row.Set("patch", 0);
  row.Set("platform", "posix");
  if (arch) row.Set("arch", *arch);

  if (auto os = ReadOsRelease(fs); os.ok()) {
    auto set_if = [&](const char* column, const std::string& value, const char* key) {
      if (os->fields.count(key)) row.Set(column, value);
    };
    set_if("name", os->name, "NAME");
    set_if("version", os->version, "VERSION");
    set_if("build", os->build_id, "BUILD_ID");
    set_if("platform", os->id, "ID");
    set_if("platform_like", os->id_like, "ID_LIKE");
    if (os->fields.count("VERSION_CODENAME")) {
      row.Set("codename", os->version_codename);
    } else {
      for (const auto& [key, value] : os->fields)
        if (key.find("CODENAME") != std::string::npos) row.Set("codename", value);
    }
    if (os->fields.count("VERSION_ID")) {
      auto parts = SplitString(os->version_id, '.');
      if (!parts.empty()) row.Set("major", LeadingNumber(parts[0]));
      if (parts.size() > 1) row.Set("minor", LeadingNumber(parts[1]));
      if (parts.size() > 2) row.Set("patch", LeadingNumber(parts[2]));
    }
  }

  if (auto rh = fs.ReadFile("/etc/redhat-release", 1 << 16); rh.ok()) {
    row.Set("platform", "rhel");
    row.Set("platform_like", "rhel");
    ApplyReleaseFile(*rh, row);
  } else if (auto gentoo = fs.ReadFile("/etc/gentoo-release", 1 << 16); gentoo.ok()) {
    row.Set("platform", "gentoo");
    row.Set("platform_like", "gentoo");
    ApplyReleaseFile(*gentoo, row);
  }
}

// "mnt:[4026531841]" -> "4026531841".
std::optional<std::string> MountNamespaceId(const HostFs& fs, int64_t pid) {
  auto link = fs.ReadLink("/proc/" + std::to_string(pid) + "/ns/mnt");
  if (!link.ok()) return std::nullopt;
  size_t open = link->find('['), close = link->find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  return link->substr(open + 1, close - open - 1);
}

}  // namespace

void RegisterOsVersionTable(TableRegistry& registry) {
  registry.Add(TableSchema{"os_version",
                           "The operating system's name, version and platform.",
                           {{"name", ColumnType::kText},
                            {"version", ColumnType::kText, kNone, "version"},
                            {"major", ColumnType::kInteger},
                            {"minor", ColumnType::kInteger},
                            {"patch", ColumnType::kInteger},
                            {"build", ColumnType::kText},
                            {"platform", ColumnType::kText},
                            {"platform_like", ColumnType::kText},
                            {"codename", ColumnType::kText},
                            {"arch", ColumnType::kText},
                            {"pid_with_namespace", ColumnType::kInteger, kHidden | kAdditional},
                            {"mount_namespace_id", ColumnType::kText, kHidden}}},
               [](const QueryContext& ctx, RowWriter& out) -> Status {
                 auto arch = MachineArch(ctx.fs());
                 auto pids = ctx.IntegerEquals("pid_with_namespace");
                 if (!pids || pids->empty()) {
                   Row& row = out.Add();
                   GenerateOsVersion(ctx.fs(), arch, row);
                   row.Set("pid_with_namespace", 0);
                   return Status::Ok();
                 }
                 for (int64_t pid : *pids) {
                   if (pid <= 0) continue;
                   const std::string proc_root = "/proc/" + std::to_string(pid) + "/root";
                   if (!ctx.fs().IsDirectory(proc_root)) continue;  // no such process
                   // The process's view of the filesystem, seen through its root link.
                   HostFs process_fs(ctx.fs().RealPath(proc_root));
                   Row& row = out.Add();
                   GenerateOsVersion(process_fs, arch, row);
                   row.Set("pid_with_namespace", pid);
                   row.Set("mount_namespace_id", MountNamespaceId(ctx.fs(), pid));
                 }
                 return Status::Ok();
               });
}

}  // namespace warden
