#include "ebpf/program_exemption.h"

#include <sys/stat.h>

#include <filesystem>

namespace warden {

ProgramExemption::ProgramExemption(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  valid_ = true;
  device_ = st.st_dev;
  inode_ = st.st_ino;
  std::error_code ec;
  std::filesystem::path resolved = std::filesystem::canonical(path, ec);
  target_ = ec ? path : resolved.string();
}

bool ProgramExemption::Matches(const std::string& path) {
  if (!valid_ || path.empty()) return false;
  auto it = checked_.find(path);
  if (it != checked_.end()) return it->second;
  if (checked_.size() >= 256) checked_.clear();
  struct stat st {};
  const bool same = ::stat(path.c_str(), &st) == 0 && st.st_dev == device_ && st.st_ino == inode_;
  checked_[path] = same;
  return same;
}

std::string ProgramExemption::Describe() const {
  if (!valid_) return "";
  return target_ + " (device " + std::to_string(static_cast<uint64_t>(device_)) + ", inode " +
         std::to_string(static_cast<uint64_t>(inode_)) + ")";
}

}  // namespace warden
