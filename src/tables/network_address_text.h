// IP addresses for the network tables: parsing the hex encodings the kernel
// writes in /proc/net files, and printing addresses and masks the way osquery
// prints them (inet_ntop text, IPv4 masks dotted, IPv6 masks as an address).
// Pure functions over bytes and text; nothing here reads the host.
// Deliberately not here: interface names, scopes and anything table-specific.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace warden {

// An IPv4 (4 significant bytes) or IPv6 (16 bytes) address in network order.
struct IpAddress {
  bool is_v6 = false;
  std::array<uint8_t, 16> bytes{};

  size_t size() const { return is_v6 ? 16 : 4; }
  bool IsZero() const;
};

// "127.0.0.1", "fe80::1" (inet_ntop forms).
std::string IpAddressText(const IpAddress& address);

// An IPv4 address as /proc/net/route and /proc/net/arp-style files print it:
// 8 hex digits of the raw 32-bit value in the kernel's (host) byte order, so
// "0100007F" is 127.0.0.1 on little-endian machines. nullopt unless exactly 8
// hex digits.
std::optional<IpAddress> ParseProcIpv4Hex(std::string_view hex);
// An IPv6 address as /proc/net/if_inet6 and ipv6_route print it: 32 hex
// digits in network byte order. nullopt unless exactly 32 hex digits.
std::optional<IpAddress> ParseProcIpv6Hex(std::string_view hex);
// Dotted IPv4 or textual IPv6 (inet_pton); nullopt when neither.
std::optional<IpAddress> ParseIpAddressText(std::string_view text);

// The mask of a prefix length: 24 gives 255.255.255.0 (IPv4) and 64 gives
// ffff:ffff:ffff:ffff:: (IPv6). prefix is clamped to [0, 32] / [0, 128].
IpAddress PrefixToMask(int prefix, bool is_v6);
// The prefix length of a mask whose one bits are contiguous from the top;
// nullopt for masks like 255.0.255.0.
std::optional<int> MaskToPrefix(const IpAddress& mask);

// fe80::/10.
bool IsIpv6LinkLocal(const IpAddress& address);

}  // namespace warden
