// ListUnitFiles: an offline view of systemd units for a mounted image or a
// fixture tree, where there is no running systemd to ask. One unit per unit
// file in the search path, first found wins, in systemd's precedence:
// /etc/systemd/system, /run/systemd/system, /usr/local/lib/systemd/system,
// /usr/lib/systemd/system, /lib/systemd/system.
// Values: load_state "loaded" ("masked" for a link to /dev/null);
// active_state "inactive" and sub_state "dead" (nothing runs in an image);
// unit_file_state "masked", "enabled" (linked from a .wants/.requires/.upholds
// directory of /etc/systemd/system), "static" (no [Install] entries) or
// "disabled"; description from [Unit] Description= (the id when unset, as
// systemd does); user from [Service] User=; fragment_path the file found;
// job_id 0, job_type "", job_path "/", following "" and source_path "".
// Deliberately not modelled: templates ("foo@.service") and their instances,
// drop-in (.d) overrides, generators, alias names (aliases are skipped; the
// unit is listed under its file's name), and units systemd creates without a
// file (devices, mounts from fstab, scopes, slices like -.slice).
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/strings.h"
#include "tables/file_targets.h"
#include "tables/systemd_unit_sources.h"

namespace warden {
namespace {

constexpr const char* kUnitDirs[] = {"/etc/systemd/system", "/run/systemd/system",
                                     "/usr/local/lib/systemd/system", "/usr/lib/systemd/system",
                                     "/lib/systemd/system"};
constexpr const char* kUnitSuffixes[] = {".service", ".socket",    ".target", ".timer",
                                         ".mount",   ".automount", ".path",   ".swap",
                                         ".slice",   ".device",    ".scope"};
constexpr size_t kMaxUnitFileBytes = 1u << 20;

bool IsUnitName(std::string_view name) {
  for (const char* suffix : kUnitSuffixes) {
    std::string_view s = suffix;
    if (name.size() > s.size() && EndsWith(name, s)) {
      // A template ("getty@.service") is not a unit by itself.
      return name[name.size() - s.size() - 1] != '@';
    }
  }
  return false;
}

struct UnitFileContents {
  std::string description;
  std::optional<std::string> user;
  bool has_install = false;
};

UnitFileContents ParseUnitFile(std::string_view text) {
  UnitFileContents out;
  std::string_view section;
  for (std::string_view raw : SplitString(text, '\n')) {
    std::string_view line = TrimWhitespace(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      section = line;
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = TrimWhitespace(line.substr(0, eq));
    std::string_view value = TrimWhitespace(line.substr(eq + 1));
    if (section == "[Unit]" && key == "Description") {
      out.description = std::string(value);
    } else if (section == "[Service]" && key == "User") {
      out.user = std::string(value);
    } else if (section == "[Install]" && !value.empty() &&
               (key == "WantedBy" || key == "RequiredBy" || key == "UpheldBy" || key == "Alias" ||
                key == "Also")) {
      out.has_install = true;
    }
  }
  return out;
}

// Names linked from /etc/systemd/system/*.{wants,requires,upholds}/: enabled.
std::set<std::string> EnabledUnitNames(const HostFs& fs) {
  std::set<std::string> enabled;
  const std::string etc = "/etc/systemd/system";
  auto entries = fs.ListDir(etc);
  if (!entries.ok()) return enabled;
  for (const std::string& entry : *entries) {
    if (!EndsWith(entry, ".wants") && !EndsWith(entry, ".requires") && !EndsWith(entry, ".upholds"))
      continue;
    auto links = fs.ListDir(JoinPath(etc, entry));
    if (!links.ok()) continue;
    for (std::string& link : *links) enabled.insert(std::move(link));
  }
  return enabled;
}

// The host path a unit-file symlink points to (absolute targets are host
// paths, i.e. under the image root; relative ones are relative to the link).
std::string ResolveLinkTarget(const std::string& link_path, const std::string& target) {
  if (!target.empty() && target.front() == '/') return target;
  return JoinPath(ParentPath(link_path), target);
}

}  // namespace

std::vector<SystemdUnit> ListUnitFiles(const HostFs& fs, const std::function<bool()>& cancelled) {
  std::map<std::string, SystemdUnit> units;  // by id: first found wins, sorted output
  std::set<std::string> enabled = EnabledUnitNames(fs);
  for (const char* dir : kUnitDirs) {
    // On merged-/usr systems /lib is a link to /usr/lib, already read; an
    // absolute link would even lead out of an image to the live host's units.
    if (std::string_view(dir) == "/lib/systemd/system") {
      auto lib = fs.Lstat("/lib");
      if (lib.ok() && S_ISLNK(lib->st_mode)) continue;
    }
    auto names = fs.ListDir(dir);
    if (!names.ok()) continue;
    for (const std::string& name : *names) {
      if (cancelled && cancelled()) break;
      if (!IsUnitName(name) || units.count(name) != 0) continue;
      std::string path = JoinPath(dir, name);
      auto st = fs.Lstat(path);
      if (!st.ok()) continue;
      std::string content_path = path;
      SystemdUnit unit;
      unit.id = name;
      unit.object_path = SystemdUnitObjectPath(name);
      unit.active_state = "inactive";
      unit.sub_state = "dead";
      unit.job_path = "/";
      unit.fragment_path = path;
      unit.source_path = "";
      if (S_ISLNK(st->st_mode)) {
        auto target = fs.ReadLink(path);
        if (!target.ok()) continue;
        if (*target == "/dev/null") {
          unit.load_state = "masked";
          unit.unit_file_state = "masked";
          unit.description = name;
          units.emplace(name, std::move(unit));
          continue;
        }
        // A link under another name is an alias; the unit is listed under
        // its own file's name.
        if (FileNameOf(*target) != name) continue;
        content_path = ResolveLinkTarget(path, *target);
      }
      auto text = fs.ReadFile(content_path, kMaxUnitFileBytes);
      if (!text.ok()) continue;  // a directory with a unit-like name, or unreadable
      UnitFileContents contents = ParseUnitFile(*text);
      unit.load_state = "loaded";
      unit.description = contents.description.empty() ? name : contents.description;
      if (EndsWith(name, ".service")) unit.user = contents.user.value_or("");
      unit.unit_file_state = enabled.count(name) != 0 ? "enabled"
                             : contents.has_install   ? "disabled"
                                                      : "static";
      units.emplace(name, std::move(unit));
    }
  }
  std::vector<SystemdUnit> out;
  out.reserve(units.size());
  for (auto& [id, unit] : units) out.push_back(std::move(unit));
  return out;
}

}  // namespace warden
