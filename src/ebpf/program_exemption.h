// ProgramExemption recognises one program by its file (device and inode,
// not its name): the agent's own binary, whose own runs (`warden agent
// status` from a checkout under /tmp, say) must not raise runtime problems
// about Warden itself. A path is checked once and remembered (up to a few
// hundred paths); a program replaced at the same path is a different file.
// Not here: which findings to skip (host_runtime_source.cc).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

namespace warden {

class ProgramExemption {
 public:
  // The file at `path` now (symlinks followed, so /proc/self/exe is the
  // running binary); exempts nothing when it cannot be read.
  explicit ProgramExemption(const std::string& path = "/proc/self/exe");

  // Whether `path` is the exempt file.
  bool Matches(const std::string& path);
  // "/usr/bin/warden (device 2049, inode 131)", or "" when nothing is exempt.
  std::string Describe() const;

 private:
  bool valid_ = false;
  dev_t device_ = 0;
  ino_t inode_ = 0;
  std::string target_;
  std::map<std::string, bool> checked_;
};

}  // namespace warden
