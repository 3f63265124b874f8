// How an interface address came to be configured, in osquery's vocabulary for
// interface_addresses.type: "manual", "dhcp", "auto" or "unknown". Linux keeps
// no such field; the kernel only knows whether an address expires (a DHCP
// client or router advertisement gave it a lifetime) or is permanent (an
// administrator or a static config added it), and which addresses it made up
// itself. This turns those facts into osquery's words. Pure function.
#pragma once

#include <string_view>

#include "tables/network_address_text.h"

namespace warden {

struct AddressFacts {
  IpAddress address;
  int prefix_length = 0;
  bool permanent = false;  // IFA_F_PERMANENT: no lifetime
  bool temporary = false;  // IFA_F_TEMPORARY: an IPv6 privacy address
};

// Rules, first match wins:
//   loopback (127.0.0.0/8, ::1)                          -> "unknown" (the kernel's own)
//   IPv4 link-local 169.254/16, IPv6 link-local fe80::/10 -> "auto"
//   permanent                                             -> "manual"
//   IPv6 privacy (temporary) address                      -> "auto"
//   IPv6 /128 with a lifetime (DHCPv6 hands out /128s)    -> "dhcp"
//   other IPv6 with a lifetime (SLAAC)                    -> "auto"
//   IPv4 with a lifetime (DHCP clients set the lease)     -> "dhcp"
std::string_view AddressOriginType(const AddressFacts& facts);

}  // namespace warden
