// Reads dpkg's database: <admindir>/status plus the journal in
// <admindir>/updates/, and the per-package file lists in <admindir>/info/.
// The selection rule is dpkg-query's own (dpkg-query -W lists every package
// whose state is not "not-installed"), which is also what osquery's
// deb_packages returns, so `SELECT count(*) FROM deb_packages` and
// `dpkg-query -W | wc -l` agree. Does not use libdpkg: its database API is
// declared volatile and reads only the live /var/lib/dpkg through global
// state, while we must read any root through HostFs.
#include <algorithm>
#include <map>
#include <utility>

#include "core/strings.h"
#include "inventory/deb822_parser.h"
#include "inventory/package_inventory.h"

namespace warden {
namespace {

// A status file this big is not one (the largest real ones are tens of MB);
// the cap keeps a corrupt or hostile file from exhausting memory.
constexpr size_t kMaxStatusFileBytes = size_t{512} << 20;
constexpr size_t kMaxFileListBytes = size_t{256} << 20;

constexpr std::string_view kDpkgStates[] = {
    "not-installed",   "config-files",     "half-installed",   "unpacked",
    "half-configured", "triggers-awaited", "triggers-pending", "installed"};

bool IsDpkgState(std::string_view word) {
  return std::find(std::begin(kDpkgStates), std::end(kDpkgStates), word) != std::end(kDpkgStates);
}

// "[epoch:]upstream[-revision]": the revision is what follows the last
// hyphen, as dpkg's parseversion() splits it.
std::string RevisionOf(std::string_view version) {
  size_t colon = version.find(':');
  if (colon != std::string_view::npos) version.remove_prefix(colon + 1);
  size_t hyphen = version.rfind('-');
  return hyphen == std::string_view::npos ? std::string() : std::string(version.substr(hyphen + 1));
}

// Turns one paragraph into a package; false when it is not a usable package
// record (no name, or a status that is not three valid words, which is what
// a truncated or damaged paragraph looks like).
bool PackageFromParagraph(const Deb822Paragraph& p, DebPackage* out) {
  DebPackage pkg;
  pkg.name = p.FirstLine("Package");
  if (pkg.name.empty()) return false;
  pkg.status = p.FirstLine("Status");
  std::vector<std::string_view> words = SplitWhitespace(pkg.status);
  if (words.size() != 3 || !IsDpkgState(words[2])) return false;
  pkg.status = std::string(words[0]) + " " + std::string(words[1]) + " " + std::string(words[2]);
  pkg.version = p.FirstLine("Version");
  pkg.arch = p.FirstLine("Architecture");
  pkg.maintainer = p.FirstLine("Maintainer");
  pkg.section = p.FirstLine("Section");
  pkg.priority = p.FirstLine("Priority");
  pkg.multi_arch = p.FirstLine("Multi-Arch");
  pkg.description = p.FirstLine("Description");
  pkg.revision = RevisionOf(pkg.version);
  int64_t size = 0;
  if (ParseInt64(p.FirstLine("Installed-Size"), &size) && size >= 0) pkg.installed_size = size;

  // "Source: name" or "Source: name (version)"; absent means the source
  // package has the binary's name and version.
  pkg.source_field = p.FirstLine("Source");
  std::string_view src = TrimWhitespace(pkg.source_field);
  pkg.source = pkg.name;
  pkg.source_version = pkg.version;
  if (!src.empty()) {
    size_t paren = src.find('(');
    std::string_view src_name = TrimWhitespace(src.substr(0, paren));
    if (!src_name.empty()) pkg.source = std::string(src_name);
    if (paren != std::string_view::npos) {
      std::string_view rest = src.substr(paren + 1);
      size_t close = rest.find(')');
      std::string_view src_version = TrimWhitespace(rest.substr(0, close));
      if (!src_version.empty()) pkg.source_version = std::string(src_version);
    }
  }
  *out = std::move(pkg);
  return true;
}

Status RejectBinary(std::string_view text, std::string_view origin) {
  size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return Status::Ok();
  return ParseError(std::string(origin) + ": binary data at byte " + std::to_string(nul) +
                    "; not a dpkg status file");
}

// Every record of a status-format text, including not-installed ones (the
// journal needs those: a purge is recorded as "not-installed").
Result<std::vector<DebPackage>> ParseAllRecords(std::string_view text, std::string_view origin) {
  RETURN_IF_ERROR(RejectBinary(text, origin));
  std::vector<DebPackage> out;
  for (const Deb822Paragraph& p : ParseDeb822(text)) {
    DebPackage pkg;
    if (PackageFromParagraph(p, &pkg)) out.push_back(std::move(pkg));
  }
  return out;
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string p(dir);
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p != "/") p.push_back('/');
  p.append(name);
  return p;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string_view DebPackage::State() const {
  size_t space = status.rfind(' ');
  return space == std::string::npos ? std::string_view(status)
                                    : std::string_view(status).substr(space + 1);
}

bool DebPackage::IsUnpacked() const {
  std::string_view state = State();
  return state != "config-files" && state != "not-installed";
}

Result<std::vector<DebPackage>> ParseDpkgStatus(std::string_view text, std::string_view origin) {
  ASSIGN_OR_RETURN(std::vector<DebPackage> all, ParseAllRecords(text, origin));
  std::erase_if(all, [](const DebPackage& p) { return p.State() == "not-installed"; });
  return all;
}

Result<std::vector<DebPackage>> ReadDpkgStatus(const HostFs& fs) {
  return ReadDpkgStatus(fs, kDpkgAdminDir);
}

Result<std::vector<DebPackage>> ReadDpkgStatus(const HostFs& fs, std::string_view admindir) {
  std::string status_path = JoinPath(admindir, "status");
  auto text = fs.ReadFile(status_path, kMaxStatusFileBytes);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return std::vector<DebPackage>();
    return text.status().WithContext("reading the dpkg database");
  }
  if (text->size() >= kMaxStatusFileBytes)
    return ParseError(status_path + ": larger than " + std::to_string(kMaxStatusFileBytes >> 20) +
                      " MiB; not a dpkg status file");
  ASSIGN_OR_RETURN(std::vector<DebPackage> records, ParseAllRecords(*text, status_path));

  // The journal: dpkg writes each state change to updates/NNNN before it
  // rewrites status, and applies leftovers in numeric order on its next run.
  // dpkg-query applies them when it reads the database, so we do too.
  std::string updates_dir = JoinPath(admindir, "updates");
  auto names = fs.ListDir(updates_dir);
  if (names.ok()) {
    std::vector<std::string> journal;
    for (const std::string& n : *names)
      if (AllDigits(n)) journal.push_back(n);
    std::sort(journal.begin(), journal.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    std::map<std::pair<std::string, std::string>, size_t> index;  // (name, arch) -> record
    for (size_t i = 0; i < records.size(); ++i) index[{records[i].name, records[i].arch}] = i;
    for (const std::string& n : journal) {
      std::string path = JoinPath(updates_dir, n);
      auto update = fs.ReadFile(path, kMaxStatusFileBytes);
      if (!update.ok()) continue;  // dpkg may be rotating the journal right now
      auto parsed = ParseAllRecords(*update, path);
      if (!parsed.ok()) continue;
      for (DebPackage& pkg : *parsed) {
        auto key = std::make_pair(pkg.name, pkg.arch);
        auto it = index.find(key);
        if (it != index.end()) {
          records[it->second] = std::move(pkg);
        } else {
          index[key] = records.size();
          records.push_back(std::move(pkg));
        }
      }
    }
  }
  std::erase_if(records, [](const DebPackage& p) { return p.State() == "not-installed"; });
  return records;
}

Result<std::vector<std::string>> ReadDpkgFileList(const HostFs& fs, const DebPackage& package) {
  return ReadDpkgFileList(fs, package, kDpkgAdminDir);
}

Result<std::vector<std::string>> ReadDpkgFileList(const HostFs& fs, const DebPackage& package,
                                                  std::string_view admindir) {
  // "Multi-Arch: same" packages are co-installable per architecture, so
  // dpkg qualifies their database files with ":<arch>"; others are plain.
  // Try the likely name first and the other one second, because a package
  // that changed its Multi-Arch field keeps the name it was installed with.
  std::string info = JoinPath(admindir, "info");
  std::string plain = JoinPath(info, package.name + ".list");
  std::string qualified = JoinPath(info, package.name + ":" + package.arch + ".list");
  std::vector<std::string> candidates;
  if (package.multi_arch == "same" && !package.arch.empty()) {
    candidates = {qualified, plain};
  } else {
    candidates = {plain};
    if (!package.arch.empty()) candidates.push_back(qualified);
  }
  for (const std::string& path : candidates) {
    auto text = fs.ReadFile(path, kMaxFileListBytes);
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) continue;
      return text.status();
    }
    std::vector<std::string> files;
    for (std::string_view line : SplitString(*text, '\n')) {
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) files.emplace_back(line);
    }
    return files;
  }
  return std::vector<std::string>();
}

}  // namespace warden
