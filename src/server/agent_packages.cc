#include "server/agent_packages.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/encoding.h"
#include "version/version_compare.h"

namespace warden::server {
namespace {

constexpr std::string_view kDebMagic = "!<arch>\ndebian-binary";
constexpr uint64_t kMaxPackageBytes = uint64_t{1} << 30;

bool NamePart(std::string_view s, std::string_view extra) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || extra.find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

Result<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": " + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return IoError(path + ": read failed");
  return out.str();
}

}  // namespace

bool ParsePackageFileName(std::string_view file, AgentPackage* out) {
  constexpr std::string_view kSuffix = ".deb";
  if (file.size() <= kSuffix.size() || file.substr(file.size() - kSuffix.size()) != kSuffix)
    return false;
  std::string_view stem = file.substr(0, file.size() - kSuffix.size());
  const size_t first = stem.find('_');
  const size_t last = stem.rfind('_');
  if (first == std::string_view::npos || first == last) return false;
  std::string_view package = stem.substr(0, first);
  std::string_view version = stem.substr(first + 1, last - first - 1);
  std::string_view arch = stem.substr(last + 1);
  // Debian's rules for names and versions (an epoch's ':' is %3a in file
  // names), no '/' anywhere.
  if (!NamePart(package, "+-.") || !NamePart(version, "+-.~%ABCDEFGHIJKLMNOPQRSTUVWXYZ") ||
      !NamePart(arch, "-"))
    return false;
  out->file = std::string(file);
  out->package = std::string(package);
  out->version = std::string(version);
  out->arch = std::string(arch);
  return true;
}

Result<AgentPackage> AgentPackages::Describe(const std::string& file) const {
  AgentPackage p;
  if (!ParsePackageFileName(file, &p)) return NotFound("no package file " + file);
  const std::string path = dir_ + "/" + file;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return NotFound("no package file " + file);
  p.size = static_cast<uint64_t>(st.st_size);
  const int64_t mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  {
    std::lock_guard lock(mu_);
    auto it = digests_.find(file);
    if (it != digests_.end() && it->second.size == p.size && it->second.mtime_ns == mtime_ns) {
      p.sha256 = it->second.sha256;
      return p;
    }
  }
  ASSIGN_OR_RETURN(std::string bytes, ReadWhole(path));
  p.sha256 = Sha256Hex(bytes);
  std::lock_guard lock(mu_);
  digests_[file] = CachedDigest{p.size, mtime_ns, p.sha256};
  return p;
}

Result<std::vector<AgentPackage>> AgentPackages::Newest() const {
  std::map<std::pair<std::string, std::string>, AgentPackage> newest;  // (arch, package)
  std::error_code ec;
  std::filesystem::directory_iterator it(dir_, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return std::vector<AgentPackage>{};
    return IoError(dir_ + ": " + ec.message());
  }
  for (const auto& entry : it) {
    AgentPackage p;
    const std::string name = entry.path().filename().string();
    if (!ParsePackageFileName(name, &p)) continue;
    if (p.package != "warden" && p.package != "warden-agent") continue;
    auto key = std::make_pair(p.arch, p.package);
    auto found = newest.find(key);
    if (found == newest.end() || CompareDebianVersions(p.version, found->second.version) > 0)
      newest[key] = p;
  }
  std::vector<AgentPackage> out;
  for (auto& [key, p] : newest) {
    ASSIGN_OR_RETURN(AgentPackage described, Describe(p.file));
    out.push_back(std::move(described));
  }
  return out;
}

Result<std::shared_ptr<const std::string>> AgentPackages::Read(std::string_view file) const {
  AgentPackage p;
  if (!ParsePackageFileName(file, &p)) return NotFound("no package file " + std::string(file));
  Result<std::string> bytes = ReadWhole(dir_ + "/" + std::string(file));
  if (!bytes.ok()) return NotFound("no package file " + std::string(file));
  return std::make_shared<const std::string>(std::move(*bytes));
}

Result<AgentPackage> AgentPackages::Add(const std::string& path) const {
  const std::string file = std::filesystem::path(path).filename().string();
  AgentPackage p;
  if (!ParsePackageFileName(file, &p))
    return InvalidArgument(path + ": not a package file name NAME_VERSION_ARCH.deb");
  ASSIGN_OR_RETURN(std::string bytes, ReadWhole(path));
  if (bytes.size() > kMaxPackageBytes) return InvalidArgument(path + ": larger than 1 GiB");
  if (bytes.compare(0, kDebMagic.size(), kDebMagic) != 0)
    return InvalidArgument(path + ": not a Debian package (no ar archive with debian-binary)");
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return IoError(dir_ + ": " + ec.message());
  const std::string target = dir_ + "/" + file;
  const std::string tmp = target + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return IoError(tmp + ": write failed");
  }
  ::chmod(tmp.c_str(), 0644);
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return IoError(target + ": " + std::strerror(err));
  }
  return Describe(file);
}

}  // namespace warden::server
