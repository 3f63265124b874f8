#include "tables/address_origin.h"

#include <algorithm>

namespace warden {

static bool IsLoopback(const IpAddress& a) {
  if (!a.is_v6) return a.bytes[0] == 127;
  return std::all_of(a.bytes.begin(), a.bytes.begin() + 15, [](uint8_t b) { return b == 0; }) &&
         a.bytes[15] == 1;
}

std::string_view AddressOriginType(const AddressFacts& facts) {
  const IpAddress& a = facts.address;
  if (IsLoopback(a)) return "unknown";
  if (!a.is_v6 && a.bytes[0] == 169 && a.bytes[1] == 254) return "auto";
  if (IsIpv6LinkLocal(a)) return "auto";
  if (facts.permanent) return "manual";
  if (!a.is_v6) return "dhcp";
  if (facts.temporary) return "auto";
  return facts.prefix_length == 128 ? "dhcp" : "auto";
}

}  // namespace warden
