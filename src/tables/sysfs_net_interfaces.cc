#include "tables/sysfs_net_interfaces.h"

#include "tables/sysfs_attributes.h"

namespace warden {

bool IsPlausibleInterfaceName(std::string_view name) {
  return !name.empty() && name.size() <= 15 && name.find('/') == std::string_view::npos &&
         name != "." && name != "..";
}

std::vector<std::string> ListNetworkInterfaces(const HostFs& fs) {
  return ListDirSorted(fs, "/sys/class/net");
}

std::vector<std::string> InterfacesToScan(const HostFs& fs,
                                          const std::optional<std::vector<std::string>>& wanted) {
  if (!wanted) return ListNetworkInterfaces(fs);
  std::vector<std::string> names;
  for (const auto& name : *wanted)
    if (IsPlausibleInterfaceName(name)) names.push_back(name);
  return names;
}

std::map<int64_t, std::string> InterfaceNamesByIndex(const HostFs& fs) {
  std::map<int64_t, std::string> names;
  for (const auto& name : ListNetworkInterfaces(fs)) {
    if (auto index = ReadIntegerAttribute(fs, "/sys/class/net/" + name + "/ifindex"))
      names.emplace(*index, name);
  }
  return names;
}

std::optional<uint32_t> ReadInterfaceFlags(const HostFs& fs, std::string_view name) {
  auto flags = ReadIntegerAttribute(fs, "/sys/class/net/" + std::string(name) + "/flags", 16);
  if (!flags || *flags < 0) return std::nullopt;
  return static_cast<uint32_t>(*flags);
}

}  // namespace warden
