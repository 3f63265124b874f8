// The package files a server hands to the hosts it installs (docs/deploy.md):
// a folder (server config `packages_dir`) of Debian packages named as
// dpkg-deb names them, NAME_VERSION_ARCH.deb. For each architecture the
// newest `warden` and `warden-agent` (by Debian version order) are what
// install.sh installs; their SHA-256 digests go into the script, which
// checks every download against them. `warden server packages add` puts
// files there (Add), checking that each is a Debian package with such a name.
//
// Files are read when asked for; digests are cached by name, size and mtime,
// so a replaced file is never served with an old digest. Not here: HTTP,
// authentication (the handlers take an enrol secret), the script's text
// (install_script.h).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace warden::server {

struct AgentPackage {
  std::string file;     // "warden-agent_0.1.0_amd64.deb"
  std::string package;  // "warden-agent"
  std::string version;  // "0.1.0"
  std::string arch;     // "amd64"
  uint64_t size = 0;
  std::string sha256;  // lowercase hex
};

// NAME_VERSION_ARCH.deb split into its parts; false when `file` is not such a
// name (or holds a path separator).
bool ParsePackageFileName(std::string_view file, AgentPackage* out);

class AgentPackages {
 public:
  explicit AgentPackages(std::string dir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }

  // For each architecture found, the newest warden and warden-agent, sorted
  // by architecture then package. A missing folder is no packages.
  Result<std::vector<AgentPackage>> Newest() const;

  // The bytes of one file of the folder (names only: nothing outside it).
  // kNotFound when there is no such package file.
  Result<std::shared_ptr<const std::string>> Read(std::string_view file) const;

  // Copies `path` into the folder under its own file name (atomically: a
  // reader sees the old file or the whole new one). kInvalidArgument, naming
  // the file, when its name is not NAME_VERSION_ARCH.deb or its content is
  // not a Debian package.
  Result<AgentPackage> Add(const std::string& path) const;

 private:
  Result<AgentPackage> Describe(const std::string& file) const;

  std::string dir_;
  struct CachedDigest {
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    std::string sha256;
  };
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, CachedDigest> digests_;
};

}  // namespace warden::server
