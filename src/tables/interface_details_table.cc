// interface_details: one row per network interface with its link-layer
// details and traffic counters, read from /sys/class/net/<if>/ through HostFs.
// Values follow osquery's Linux table:
//   - mac: six colon-separated hex bytes; "00:00:00:00:00:00" when the link
//     has no hardware address (osquery reads 6 bytes of SIOCGIFHWADDR).
//   - type: the ARPHRD_* number (1 Ethernet, 772 loopback); metric: 0 (Linux
//     has no interface metric); last_change: -1 (not kept by Linux).
//   - flags: what getifaddrs reports (the kernel's dev_get_flags()): the sysfs
//     flags word plus IFF_RUNNING / IFF_LOWER_UP / IFF_DORMANT derived from
//     operstate, carrier and dormant, as the kernel derives them.
//   - link_speed: Mb/s from speed; 0 when the driver does not know (osquery's
//     default). Read only when selected: it asks the driver.
//   - pci_slot: the bus address ethtool reports as bus_info: the name of the
//     interface's parent device, and for virtio NICs the PCI function under
//     the virtio device ("0000:00:03.0"). NULL for interfaces without a
//     parent device (lo, bridges, veth), where osquery shows "-1" or "".
// Deliberate difference: counters are the kernel's 64-bit values, where
// osquery's rtnl_link_stats copies wrap at 2^32.
#include <array>
#include <cstdio>

#include "core/strings.h"
#include "tables/network_tables.h"
#include "tables/sysfs_attributes.h"
#include "tables/sysfs_net_interfaces.h"

namespace warden {
namespace {

constexpr std::array<std::pair<const char*, const char*>, 9> kCounterFiles = {{
    {"ipackets", "rx_packets"},
    {"opackets", "tx_packets"},
    {"ibytes", "rx_bytes"},
    {"obytes", "tx_bytes"},
    {"ierrors", "rx_errors"},
    {"oerrors", "tx_errors"},
    {"idrops", "rx_dropped"},
    {"odrops", "tx_dropped"},
    {"collisions", "collisions"},
}};

// sysfs prints the hardware address as addr_len colon-separated hex bytes
// (empty for links without one). osquery always shows exactly six bytes.
std::string SixByteMac(std::string_view sysfs_address) {
  std::array<unsigned, 6> bytes{};
  auto parts = SplitString(sysfs_address, ':');
  for (size_t i = 0; i < parts.size() && i < bytes.size(); ++i) {
    uint64_t value = 0;
    if (parts[i].size() != 2 || !ParseUint64(parts[i], &value, 16)) return "00:00:00:00:00:00";
    bytes[i] = static_cast<unsigned>(value);
  }
  char text[18];
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2],
                bytes[3], bytes[4], bytes[5]);
  return text;
}

// dev_get_flags(): sysfs shows dev->flags; the state bits come from the
// operational state (RUNNING when up or unknown), the carrier (LOWER_UP) and
// dormancy, and only while the interface is administratively up.
int64_t LinkFlags(const HostFs& fs, const std::string& dir, uint32_t sysfs_flags) {
  uint32_t flags = sysfs_flags & ~(kIffRunning | kIffLowerUp | kIffDormant);
  if (flags & kIffUp) {
    auto operstate = ReadAttribute(fs, dir + "/operstate");
    if (operstate && (*operstate == "up" || *operstate == "unknown")) flags |= kIffRunning;
    if (ReadIntegerAttribute(fs, dir + "/carrier").value_or(0) == 1) flags |= kIffLowerUp;
    if (ReadIntegerAttribute(fs, dir + "/dormant").value_or(0) == 1) flags |= kIffDormant;
  }
  return flags;
}

// "virtio0", "virtio12": the virtio bus's own device between a NIC and its
// PCI or MMIO transport.
bool IsVirtioDeviceName(std::string_view name) {
  if (!StartsWith(name, "virtio") || name.size() == 6) return false;
  return name.find_first_not_of("0123456789", 6) == std::string_view::npos;
}

// The device directory is the parent of the "net" directory the interface
// sits in: /sys/class/net/eth0 -> ../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0.
std::optional<std::string> PciSlot(const HostFs& fs, const std::string& name) {
  const std::string dir = "/sys/class/net/" + name;
  if (!fs.Exists(dir + "/device")) return std::nullopt;
  auto target = fs.ReadLink(dir);
  if (!target.ok()) return ReadLinkBasename(fs, dir + "/device");
  auto parts = SplitString(*target, '/');
  // [..., bus_device, (virtioN,) "net", name]
  if (parts.size() < 3 || parts[parts.size() - 2] != "net") {
    return ReadLinkBasename(fs, dir + "/device");
  }
  size_t device = parts.size() - 3;
  if (IsVirtioDeviceName(parts[device]) && device > 0 && !parts[device - 1].empty() &&
      parts[device - 1] != "..") {
    --device;  // virtio_net reports the virtio device's parent
  }
  if (parts[device].empty() || parts[device] == "..") return std::nullopt;
  return std::string(parts[device]);
}

Status GenerateInterfaceDetails(const QueryContext& ctx, RowWriter& out) {
  const HostFs& fs = ctx.fs();
  for (const auto& name : InterfacesToScan(fs, ctx.TextEquals("interface"))) {
    if (ctx.Cancelled()) break;
    const std::string dir = "/sys/class/net/" + name;
    auto sysfs_flags = ReadInterfaceFlags(fs, name);
    if (!sysfs_flags) continue;  // not an interface, or it vanished
    Row& row = out.Add();
    row.Set("interface", name);
    row.Set("mac", SixByteMac(ReadAttribute(fs, dir + "/address").value_or("")));
    row.Set("type", ReadIntegerAttribute(fs, dir + "/type").value_or(0));
    row.Set("mtu", ReadIntegerAttribute(fs, dir + "/mtu").value_or(0));
    row.Set("metric", 0);
    row.Set("flags", LinkFlags(fs, dir, *sysfs_flags));
    for (const auto& [column, file] : kCounterFiles) {
      if (!ctx.IsUsed(column)) continue;
      row.Set(column, ReadIntegerAttribute(fs, dir + "/statistics/" + file));
    }
    row.Set("last_change", -1);
    if (ctx.IsUsed("link_speed")) {
      int64_t speed = ReadIntegerAttribute(fs, dir + "/speed").value_or(-1);
      row.Set("link_speed", speed >= 0 ? speed : 0);
    }
    if (ctx.IsUsed("pci_slot")) row.Set("pci_slot", PciSlot(fs, name));
  }
  return Status::Ok();
}

}  // namespace

void RegisterInterfaceDetailsTable(TableRegistry& r) {
  r.Add(TableSchema{"interface_details",
                    "Link-layer details and traffic counters of each network interface.",
                    {{"interface", ColumnType::kText, kNone, "", "Interface name"},
                     {"mac", ColumnType::kText, kNone, "nocase", "MAC of interface (optional)"},
                     {"type", ColumnType::kInteger, kNone, "", "Interface type (includes virtual)"},
                     {"mtu", ColumnType::kInteger, kNone, "", "Network MTU"},
                     {"metric", ColumnType::kInteger, kNone, "",
                      "Metric based on the speed of the interface"},
                     {"flags", ColumnType::kInteger, kNone, "", "Flags (netdevice) for the device"},
                     {"ipackets", ColumnType::kBigInt, kNone, "", "Input packets"},
                     {"opackets", ColumnType::kBigInt, kNone, "", "Output packets"},
                     {"ibytes", ColumnType::kBigInt, kNone, "", "Input bytes"},
                     {"obytes", ColumnType::kBigInt, kNone, "", "Output bytes"},
                     {"ierrors", ColumnType::kBigInt, kNone, "", "Input errors"},
                     {"oerrors", ColumnType::kBigInt, kNone, "", "Output errors"},
                     {"idrops", ColumnType::kBigInt, kNone, "", "Input drops"},
                     {"odrops", ColumnType::kBigInt, kNone, "", "Output drops"},
                     {"collisions", ColumnType::kBigInt, kNone, "", "Packet Collisions detected"},
                     {"last_change", ColumnType::kBigInt, kNone, "",
                      "Time of last device modification (optional)"},
                     {"link_speed", ColumnType::kBigInt, kNone, "", "Interface speed in Mb/s"},
                     {"pci_slot", ColumnType::kText, kNone, "", "PCI slot number"}}},
        GenerateInterfaceDetails);
}

}  // namespace warden
