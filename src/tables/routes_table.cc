// routes: the host's IPv4 and IPv6 routing tables, one row per route.
//
// Where the routes come from:
//   - IPv6: /proc/net/ipv6_route (every table, local routes included), through
//     HostFs. The kernel's null entry (::/0 unreachable on lo, metric
//     0xffffffff) and cached clones are left out, as netlink dumps leave them
//     out for osquery.
//   - IPv4 on the live host: a netlink RTM_GETROUTE dump, like osquery. It
//     covers every table (the local table's "local" and "broadcast" routes)
//     and gives the preferred source address, which /proc/net/route lacks.
//   - IPv4 when the query reads another root (fs().is_live() false), or when
//     netlink is refused: /proc/net/route, which holds only the main table
//     and no source.
//
// Values follow osquery: destination "0.0.0.0" / "::" for default routes;
// type "gateway" for every unicast route (with or without a next hop),
// "local", "broadcast", "anycast", else "other"; mtu, metric and hopcount 0
// when unset. Deliberate differences: netmask is always the prefix length
// (osquery reports 0 for /32 and /128 host routes, indistinguishable from a
// default route); flags are the classic RTF_* route flags (RTF_UP 0x1,
// RTF_GATEWAY 0x2, RTF_HOST 0x4, RTF_REJECT 0x200, and for IPv6 the kernel's
// RTF_LOCAL/RTF_ADDRCONF/... bits), the same word /proc/net/route, `route -n`
// and osquery on macOS show, where osquery on Linux copies rtm_flags (almost
// always 0). Multipath (ECMP) IPv4 routes show no gateway or interface, as in
// osquery.
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>

#include "core/strings.h"
#include "tables/network_address_text.h"
#include "tables/network_tables.h"
#include "tables/rtnetlink_dump.h"
#include "tables/sysfs_net_interfaces.h"

namespace warden {
namespace {

// linux/route.h and linux/ipv6_route.h (not included: they drag in kernel
// headers that clash with glibc's).
constexpr uint32_t kRtfUp = 0x1;
constexpr uint32_t kRtfGateway = 0x2;
constexpr uint32_t kRtfHost = 0x4;
constexpr uint32_t kRtfReject = 0x200;
constexpr uint32_t kRtfAnycast = 0x100000;
constexpr uint32_t kRtfCache = 0x1000000;
constexpr uint32_t kRtfLocal = 0x80000000;

struct RouteRow {
  std::string destination;
  int64_t netmask = 0;
  std::optional<std::string> gateway;
  std::optional<std::string> source;
  int64_t flags = 0;
  std::optional<std::string> interface;
  int64_t mtu = 0;
  int64_t metric = 0;
  std::string_view type;
  int64_t hopcount = 0;
};

void WriteRoute(const RouteRow& route, RowWriter& out) {
  Row& row = out.Add();
  row.Set("destination", route.destination);
  row.Set("netmask", route.netmask);
  row.Set("gateway", route.gateway);
  row.Set("source", route.source);
  row.Set("flags", route.flags);
  row.Set("interface", route.interface);
  row.Set("mtu", route.mtu);
  row.Set("metric", route.metric);
  row.Set("type", route.type);
  row.Set("hopcount", route.hopcount);
}

// /proc/net/route: Iface Destination Gateway Flags RefCnt Use Metric Mask MTU
// Window IRTT, addresses as raw hex words, flags hex, the rest decimal.
void AddIpv4RoutesFromProc(const QueryContext& ctx, RowWriter& out) {
  bool header = true;
  (void)ctx.fs().ForEachLine("/proc/net/route", [&](std::string_view line) {
    if (header) {
      header = false;
      return true;
    }
    auto f = SplitWhitespace(line);
    if (f.size() < 11) return true;
    auto destination = ParseProcIpv4Hex(f[1]);
    auto gateway = ParseProcIpv4Hex(f[2]);
    auto mask = ParseProcIpv4Hex(f[7]);
    uint64_t flags = 0;
    int64_t metric = 0, mtu = 0;
    if (!destination || !gateway || !mask || !ParseUint64(f[3], &flags, 16) ||
        !ParseInt64(f[6], &metric) || !ParseInt64(f[8], &mtu)) {
      return true;
    }
    RouteRow route;
    route.destination = IpAddressText(*destination);
    route.netmask = MaskToPrefix(*mask).value_or(0);
    if ((flags & kRtfGateway) || !gateway->IsZero()) route.gateway = IpAddressText(*gateway);
    route.flags = static_cast<int64_t>(flags);
    if (f[0] != "*") route.interface = std::string(f[0]);
    route.mtu = mtu;
    route.metric = metric;
    route.type = (flags & kRtfReject) ? "other" : "gateway";
    WriteRoute(route, out);
    return true;
  });
}

std::string_view RouteTypeName(uint8_t rtm_type) {
  switch (rtm_type) {
    case RTN_UNICAST:
      return "gateway";
    case RTN_LOCAL:
      return "local";
    case RTN_BROADCAST:
      return "broadcast";
    case RTN_ANYCAST:
      return "anycast";
    default:
      return "other";
  }
}

uint32_t ReadU32(std::string_view payload) {
  uint32_t value = 0;
  if (payload.size() >= sizeof value) std::memcpy(&value, payload.data(), sizeof value);
  return value;
}

std::optional<RouteRow> ParseIpv4RouteMessage(std::string_view message,
                                              const std::map<int64_t, std::string>& names) {
  if (message.size() < NLMSG_LENGTH(sizeof(rtmsg))) return std::nullopt;
  rtmsg header;
  std::memcpy(&header, message.data() + NLMSG_LENGTH(0), sizeof header);
  if (header.rtm_family != AF_INET || header.rtm_dst_len > 32) return std::nullopt;

  auto ipv4 = [](std::string_view payload) -> std::optional<std::string> {
    if (payload.size() != 4) return std::nullopt;
    IpAddress a;
    std::memcpy(a.bytes.data(), payload.data(), 4);
    return IpAddressText(a);
  };
  RouteRow route;
  route.destination = "0.0.0.0";
  route.netmask = header.rtm_dst_len;
  route.type = RouteTypeName(header.rtm_type);
  ForEachRtAttribute(message, sizeof(rtmsg), [&](uint16_t type, std::string_view payload) {
    switch (type) {
      case RTA_DST:
        if (auto text = ipv4(payload)) route.destination = *text;
        break;
      case RTA_GATEWAY:
        route.gateway = ipv4(payload);
        break;
      case RTA_PREFSRC:
        route.source = ipv4(payload);
        break;
      case RTA_OIF:
        if (auto it = names.find(ReadU32(payload)); it != names.end()) route.interface = it->second;
        break;
      case RTA_PRIORITY:
        route.metric = ReadU32(payload);
        break;
      case RTA_METRICS: {
        ForEachNestedRtAttribute(payload, [&](uint16_t metric, std::string_view value) {
          if (metric == RTAX_MTU) route.mtu = ReadU32(value);
          if (metric == RTAX_HOPLIMIT) route.hopcount = ReadU32(value);
        });
        break;
      }
      default:
        break;
    }
  });
  // The flags /proc/net/route would show for this route (fib_flag_trans).
  uint32_t flags = kRtfUp;
  if (header.rtm_type == RTN_UNREACHABLE || header.rtm_type == RTN_PROHIBIT) flags |= kRtfReject;
  if (route.gateway) flags |= kRtfGateway;
  if (header.rtm_dst_len == 32) flags |= kRtfHost;
  route.flags = flags;
  return route;
}

// False when netlink gave no answer, so the caller falls back to the file.
bool AddIpv4RoutesFromNetlink(const QueryContext& ctx, RowWriter& out) {
  auto messages = DumpRtnetlink(RTM_GETROUTE, AF_INET, std::chrono::seconds(5));
  if (!messages.ok()) return false;
  auto names = InterfaceNamesByIndex(ctx.fs());
  for (const auto& message : *messages) {
    if (const auto* h = reinterpret_cast<const nlmsghdr*>(message.data());
        h->nlmsg_type != RTM_NEWROUTE) {
      continue;
    }
    if (auto route = ParseIpv4RouteMessage(message, names)) WriteRoute(*route, out);
  }
  return true;
}

// /proc/net/ipv6_route: dst dst_len src src_len next_hop metric refcnt use
// flags iface; addresses 32 hex digits, numbers hex.
void AddIpv6Routes(const QueryContext& ctx, RowWriter& out) {
  (void)ctx.fs().ForEachLine("/proc/net/ipv6_route", [&](std::string_view line) {
    auto f = SplitWhitespace(line);
    if (f.size() < 10) return true;
    auto destination = ParseProcIpv6Hex(f[0]);
    auto next_hop = ParseProcIpv6Hex(f[4]);
    uint64_t prefix = 0, metric = 0, flags = 0;
    if (!destination || !next_hop || !ParseUint64(f[1], &prefix, 16) || prefix > 128 ||
        !ParseUint64(f[5], &metric, 16) || !ParseUint64(f[8], &flags, 16)) {
      return true;
    }
    if (flags & kRtfCache) return true;
    bool null_entry = prefix == 0 && destination->IsZero() && (flags & kRtfReject) &&
                      metric == 0xffffffff && f[9] == "lo";
    if (null_entry) return true;

    RouteRow route;
    route.destination = IpAddressText(*destination);
    route.netmask = static_cast<int64_t>(prefix);
    if ((flags & kRtfGateway) || !next_hop->IsZero()) route.gateway = IpAddressText(*next_hop);
    route.flags = static_cast<int64_t>(flags);
    route.interface = std::string(f[9]);
    route.metric = static_cast<int64_t>(metric);
    if (flags & kRtfLocal)
      route.type = "local";
    else if (flags & kRtfAnycast)
      route.type = "anycast";
    else if ((flags & kRtfReject) || destination->bytes[0] == 0xff)
      route.type = "other";
    else
      route.type = "gateway";
    WriteRoute(route, out);
    return true;
  });
}

Status GenerateRoutes(const QueryContext& ctx, RowWriter& out) {
  if (!ctx.fs().is_live() || !AddIpv4RoutesFromNetlink(ctx, out)) AddIpv4RoutesFromProc(ctx, out);
  AddIpv6Routes(ctx, out);
  return Status::Ok();
}

}  // namespace

void RegisterRoutesTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "routes",
          "The host's IPv4 and IPv6 routing tables.",
          {{"destination", ColumnType::kText, kNone, "", "Destination IP address"},
           {"netmask", ColumnType::kInteger, kNone, "", "Netmask length"},
           {"gateway", ColumnType::kText, kNone, "", "Route gateway"},
           {"source", ColumnType::kText, kNone, "", "Route source"},
           {"flags", ColumnType::kInteger, kNone, "", "Flags to describe route"},
           {"interface", ColumnType::kText, kNone, "", "Route local interface"},
           {"mtu", ColumnType::kInteger, kNone, "", "Maximum Transmission Unit for the route"},
           {"metric", ColumnType::kInteger, kNone, "", "Cost of route. Lowest is preferred"},
           {"type", ColumnType::kText, kAdditional, "", "Type of route"},
           {"hopcount", ColumnType::kInteger, kNone, "", "Max hops expected"}}},
      GenerateRoutes);
}

}  // namespace warden
