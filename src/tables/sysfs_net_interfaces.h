// The host's network interfaces as /sys/class/net shows them: which exist,
// their index and their flags. Shared by interface_addresses, interface_details,
// interface_ipv6 and routes, which all name interfaces the way the kernel does.
// Reads through HostFs only, so fixture trees and --root images work. A
// missing /sys/class/net is an empty list, not an error.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/host_fs.h"

namespace warden {

// Interface flag bits (linux/if.h) the network tables interpret.
inline constexpr uint32_t kIffUp = 0x1;
inline constexpr uint32_t kIffBroadcast = 0x2;
inline constexpr uint32_t kIffLoopback = 0x8;
inline constexpr uint32_t kIffPointToPoint = 0x10;
inline constexpr uint32_t kIffRunning = 0x40;
inline constexpr uint32_t kIffLowerUp = 0x10000;
inline constexpr uint32_t kIffDormant = 0x20000;

// True for a name that can be an interface directory: non-empty, at most
// 15 bytes, no '/', not "." or "..". Constraint values are checked with it
// before they become paths.
bool IsPlausibleInterfaceName(std::string_view name);

// Interface names under /sys/class/net, sorted.
std::vector<std::string> ListNetworkInterfaces(const HostFs& fs);

// The interfaces a scan should visit: the values of `column = ...` when the
// query constrains it (only plausible names), else every interface.
std::vector<std::string> InterfacesToScan(const HostFs& fs,
                                          const std::optional<std::vector<std::string>>& wanted);

// ifindex -> name for every interface under /sys/class/net.
std::map<int64_t, std::string> InterfaceNamesByIndex(const HostFs& fs);

// The raw flags word of /sys/class/net/<name>/flags (the kernel's dev->flags,
// without the RUNNING/LOWER_UP/DORMANT state bits); nullopt when unreadable.
std::optional<uint32_t> ReadInterfaceFlags(const HostFs& fs, std::string_view name);

}  // namespace warden
