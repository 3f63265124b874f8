// interface_ipv6: IPv6 settings of each interface that has IPv6, from the
// sysctl files /proc/sys/net/ipv6/conf/<if>/ (the "all" and "default"
// pseudo-entries are inputs, not rows). Like osquery, the columns are the
// values the kernel acts on, not the raw per-interface files:
//   - redirect_accept: with forwarding on, redirects are accepted only when
//     both conf/all and the interface accept them; otherwise when either does.
//   - rtadv_accept: accept_ra=2 accepts router advertisements even when
//     forwarding; 1 accepts them only when not forwarding.
// A value whose file is missing or unreadable is NULL (osquery computes with
// -1 instead, which reads as "enabled").
#include "tables/network_tables.h"
#include "tables/sysfs_attributes.h"
#include "tables/sysfs_net_interfaces.h"

namespace warden {
namespace {

constexpr char kConfDir[] = "/proc/sys/net/ipv6/conf";

std::optional<int64_t> ReadConf(const HostFs& fs, std::string_view interface,
                                std::string_view setting) {
  return ReadIntegerAttribute(
      fs, std::string(kConfDir) + "/" + std::string(interface) + "/" + std::string(setting));
}

Status GenerateInterfaceIpv6(const QueryContext& ctx, RowWriter& out) {
  const HostFs& fs = ctx.fs();
  std::vector<std::string> interfaces;
  if (auto wanted = ctx.TextEquals("interface")) {
    for (const auto& name : *wanted)
      if (IsPlausibleInterfaceName(name)) interfaces.push_back(name);
  } else {
    interfaces = ListDirSorted(fs, kConfDir);
  }
  const std::optional<int64_t> all_redirects = ReadConf(fs, "all", "accept_redirects");

  for (const auto& name : interfaces) {
    if (name == "all" || name == "default") continue;
    if (!fs.IsDirectory(std::string(kConfDir) + "/" + name)) continue;
    auto forwarding = ReadConf(fs, name, "forwarding");
    auto redirects = ReadConf(fs, name, "accept_redirects");
    auto accept_ra = ReadConf(fs, name, "accept_ra");

    Row& row = out.Add();
    row.Set("interface", name);
    row.Set("hop_limit", ReadConf(fs, name, "hop_limit"));
    row.Set("forwarding_enabled", forwarding);
    if (forwarding && redirects && all_redirects) {
      bool accepted = *forwarding ? (*all_redirects && *redirects) : (*all_redirects || *redirects);
      row.Set("redirect_accept", accepted ? 1 : 0);
    }
    if (accept_ra && forwarding) {
      bool accepted = *accept_ra == 2 || (*accept_ra != 0 && *forwarding == 0);
      row.Set("rtadv_accept", accepted ? 1 : 0);
    }
  }
  return Status::Ok();
}

}  // namespace

void RegisterInterfaceIpv6Table(TableRegistry& r) {
  r.Add(
      TableSchema{
          "interface_ipv6",
          "IPv6 forwarding, redirect and router-advertisement settings per interface.",
          {{"interface", ColumnType::kText, kNone, "", "Interface name"},
           {"hop_limit", ColumnType::kInteger, kNone, "", "Current Hop Limit"},
           {"forwarding_enabled", ColumnType::kInteger, kNone, "", "Enable IP forwarding"},
           {"redirect_accept", ColumnType::kInteger, kNone, "", "Accept ICMP redirect messages"},
           {"rtadv_accept", ColumnType::kInteger, kNone, "", "Accept ICMP Router Advertisement"}}},
      GenerateInterfaceIpv6);
}

}  // namespace warden
