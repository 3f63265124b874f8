// interface_addresses: one row per IP address configured on an interface, with
// the values osquery's getifaddrs()-based table gives (address text as
// getnameinfo prints it, link-local IPv6 with its "%interface" scope; masks
// dotted for IPv4 and as an address for IPv6; the "destination" address in
// broadcast or point_to_point depending on the interface's IFF_BROADCAST flag).
//
// Where the addresses come from:
//   - IPv6: /proc/net/if_inet6, read through HostFs like every table.
//   - IPv4: no file lists IPv4 addresses, so on the live host they come from a
//     netlink RTM_GETADDR dump (the same source getifaddrs uses). When the query
//     reads another root (a --root image or a fixture tree, fs().is_live()
//     false) netlink would describe the wrong machine, so IPv4 rows are left
//     out rather than invented.
// type: osquery on Linux always says "unknown"; Warden classifies the address
// from the kernel's lifetime flags (see address_origin.h), a superset of the
// same vocabulary. Deliberately not here: link-layer details
// (interface_details) and per-interface IPv6 settings (interface_ipv6).
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <set>

#include "core/strings.h"
#include "tables/address_origin.h"
#include "tables/network_address_text.h"
#include "tables/network_tables.h"
#include "tables/rtnetlink_dump.h"
#include "tables/sysfs_net_interfaces.h"

namespace warden {
namespace {

struct InterfaceAddressRow {
  std::string interface;
  std::string address;
  std::string mask;
  std::optional<std::string> broadcast;
  std::optional<std::string> point_to_point;
  std::string_view type;
};

// getnameinfo(NI_NUMERICHOST) appends the scope to link-local IPv6 addresses.
std::string AddressWithScope(const IpAddress& address, std::string_view interface) {
  std::string text = IpAddressText(address);
  if (IsIpv6LinkLocal(address) && !interface.empty()) text += "%" + std::string(interface);
  return text;
}

// /proc/net/if_inet6 lines: address(32 hex) ifindex prefix scope flags name,
// the numbers in hex.
void AddIpv6Addresses(const HostFs& fs, std::vector<InterfaceAddressRow>& rows) {
  (void)fs.ForEachLine("/proc/net/if_inet6", [&](std::string_view line) {
    auto fields = SplitWhitespace(line);
    if (fields.size() < 6) return true;
    auto address = ParseProcIpv6Hex(fields[0]);
    uint64_t prefix = 0, flags = 0;
    if (!address || !ParseUint64(fields[2], &prefix, 16) || prefix > 128 ||
        !ParseUint64(fields[4], &flags, 16)) {
      return true;
    }
    InterfaceAddressRow row;
    row.interface = std::string(fields[5]);
    row.address = AddressWithScope(*address, row.interface);
    row.mask = IpAddressText(PrefixToMask(static_cast<int>(prefix), true));
    row.type = AddressOriginType({*address, static_cast<int>(prefix),
                                  (flags & IFA_F_PERMANENT) != 0, (flags & IFA_F_TEMPORARY) != 0});
    rows.push_back(std::move(row));
    return true;
  });
}

// One RTM_NEWADDR message of the IPv4 dump. Mirrors glibc's getifaddrs: the
// name is the address label ("eth0:1" for an alias); the destination is
// IFA_BROADCAST when present, else IFA_ADDRESS (the peer on point-to-point
// links, the address itself otherwise, which is why osquery shows lo's
// 127.0.0.1 as its point_to_point).
std::optional<InterfaceAddressRow> ParseIpv4AddressMessage(
    std::string_view message, const HostFs& fs, const std::map<int64_t, std::string>& names) {
  if (message.size() < NLMSG_LENGTH(sizeof(ifaddrmsg))) return std::nullopt;
  ifaddrmsg header;
  std::memcpy(&header, message.data() + NLMSG_LENGTH(0), sizeof header);
  if (header.ifa_family != AF_INET || header.ifa_prefixlen > 32) return std::nullopt;

  std::optional<IpAddress> address_attr, local_attr, broadcast_attr;
  std::string label;
  uint32_t flags = header.ifa_flags;
  ForEachRtAttribute(message, sizeof(ifaddrmsg), [&](uint16_t type, std::string_view payload) {
    auto as_ipv4 = [&]() -> std::optional<IpAddress> {
      if (payload.size() != 4) return std::nullopt;
      IpAddress a;
      std::memcpy(a.bytes.data(), payload.data(), 4);
      return a;
    };
    switch (type) {
      case IFA_ADDRESS:
        address_attr = as_ipv4();
        break;
      case IFA_LOCAL:
        local_attr = as_ipv4();
        break;
      case IFA_BROADCAST:
        broadcast_attr = as_ipv4();
        break;
      case IFA_LABEL:
        label = std::string(payload.substr(0, payload.find('\0')));
        break;
      case IFA_FLAGS:
        if (payload.size() == 4) std::memcpy(&flags, payload.data(), 4);
        break;
      default:
        break;
    }
  });

  auto link = names.find(header.ifa_index);
  std::string link_name = link != names.end() ? link->second : std::string();
  InterfaceAddressRow row;
  row.interface = !label.empty() ? label : link_name;
  if (row.interface.empty()) return std::nullopt;
  const std::optional<IpAddress>& own = local_attr ? local_attr : address_attr;
  if (!own) return std::nullopt;
  row.address = IpAddressText(*own);
  row.mask = IpAddressText(PrefixToMask(header.ifa_prefixlen, false));

  std::optional<IpAddress> destination = broadcast_attr;
  if (!destination && local_attr) destination = address_attr;
  if (destination) {
    uint32_t link_flags = ReadInterfaceFlags(fs, link_name).value_or(0);
    if (link_flags & kIffBroadcast)
      row.broadcast = IpAddressText(*destination);
    else
      row.point_to_point = IpAddressText(*destination);
  }
  row.type = AddressOriginType(
      {*own, header.ifa_prefixlen, (flags & IFA_F_PERMANENT) != 0, (flags & IFA_F_TEMPORARY) != 0});
  return row;
}

void AddIpv4Addresses(const HostFs& fs, std::vector<InterfaceAddressRow>& rows) {
  auto messages = DumpRtnetlink(RTM_GETADDR, AF_INET, std::chrono::seconds(5));
  if (!messages.ok()) return;  // no netlink (seccomp, old kernel): IPv6 rows still answer
  auto names = InterfaceNamesByIndex(fs);
  for (const auto& message : *messages) {
    if (auto row = ParseIpv4AddressMessage(message, fs, names)) rows.push_back(std::move(*row));
  }
}

Status GenerateInterfaceAddresses(const QueryContext& ctx, RowWriter& out) {
  std::vector<InterfaceAddressRow> rows;
  if (ctx.fs().is_live()) AddIpv4Addresses(ctx.fs(), rows);
  AddIpv6Addresses(ctx.fs(), rows);

  auto wanted = ctx.TextEquals("interface");
  std::set<std::string> wanted_set;
  if (wanted) wanted_set.insert(wanted->begin(), wanted->end());
  for (auto& r : rows) {
    if (wanted && wanted_set.count(r.interface) == 0) continue;
    Row& row = out.Add();
    row.Set("interface", r.interface);
    row.Set("address", r.address);
    row.Set("mask", r.mask);
    row.Set("broadcast", r.broadcast);
    row.Set("point_to_point", r.point_to_point);
    row.Set("type", r.type);
  }
  return Status::Ok();
}

}  // namespace

void RegisterInterfaceAddressesTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "interface_addresses",
          "IP addresses configured on the host's network interfaces.",
          {{"interface", ColumnType::kText, kNone, "", "Interface name"},
           {"address", ColumnType::kText, kNone, "", "Specific address for interface"},
           {"mask", ColumnType::kText, kNone, "", "Interface netmask"},
           {"broadcast", ColumnType::kText, kNone, "", "Broadcast address for the interface"},
           {"point_to_point", ColumnType::kText, kNone, "", "PtP address for the interface"},
           {"type", ColumnType::kText, kNone, "",
            "Type of address. One of dhcp, manual, auto, other, unknown"}}},
      GenerateInterfaceAddresses);
}

}  // namespace warden
