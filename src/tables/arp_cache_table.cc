// arp_cache: the kernel's IPv4 neighbour (ARP) cache from /proc/net/arp, one
// row per entry, as osquery shows it: the address, the hardware address as
// the kernel prints it (00:00:00:00:00:00 for incomplete entries), the
// interface and permanent "1" for static entries (ATF_PERM), else "0".
// Deliberately not here: IPv6 neighbours (no file lists them; osquery does
// not show them either).
#include "core/strings.h"
#include "tables/network_tables.h"

namespace warden {
namespace {

constexpr uint64_t kAtfPermanent = 0x04;  // linux/if_arp.h ATF_PERM

// Lines after the header: "IP address  HW type  Flags  HW address  Mask  Device".
Status GenerateArpCache(const QueryContext& ctx, RowWriter& out) {
  bool header = true;
  (void)ctx.fs().ForEachLine("/proc/net/arp", [&](std::string_view line) {
    if (header) {
      header = false;
      return true;
    }
    auto f = SplitWhitespace(line);
    if (f.size() != 6) return true;
    std::string_view flags_text = f[2];
    if (StartsWith(flags_text, "0x")) flags_text.remove_prefix(2);
    uint64_t flags = 0;
    if (!ParseUint64(flags_text, &flags, 16)) return true;
    Row& row = out.Add();
    row.Set("address", f[0]);
    row.Set("mac", f[3]);
    row.Set("interface", f[5]);
    row.Set("permanent", (flags & kAtfPermanent) ? "1" : "0");
    return true;
  });
  return Status::Ok();
}

}  // namespace

void RegisterArpCacheTable(TableRegistry& r) {
  r.Add(
      TableSchema{
          "arp_cache",
          "The IPv4 address resolution (ARP) cache.",
          {{"address", ColumnType::kText, kNone, "", "IPv4 address target"},
           {"mac", ColumnType::kText, kNone, "nocase", "MAC address of broadcasted address"},
           {"interface", ColumnType::kText, kNone, "", "Interface of the network for the MAC"},
           {"permanent", ColumnType::kText, kNone, "", "1 for true, 0 for false"}}},
      GenerateArpCache);
}

}  // namespace warden
