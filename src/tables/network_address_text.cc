#include "tables/network_address_text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "core/strings.h"

namespace warden {

bool IpAddress::IsZero() const {
  return std::all_of(bytes.begin(), bytes.begin() + static_cast<long>(size()),
                     [](uint8_t b) { return b == 0; });
}

std::string IpAddressText(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(address.is_v6 ? AF_INET6 : AF_INET, address.bytes.data(), text, sizeof text) ==
      nullptr) {
    return "";
  }
  return text;
}

static bool IsHexDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

std::optional<IpAddress> ParseProcIpv4Hex(std::string_view hex) {
  uint64_t raw = 0;
  if (hex.size() != 8 || !IsHexDigits(hex) || !ParseUint64(hex, &raw, 16)) return std::nullopt;
  // The kernel printed the in-memory (network order) 32-bit word as a host
  // integer; storing it back as a host integer restores the original bytes
  // on either endianness.
  uint32_t word = static_cast<uint32_t>(raw);
  IpAddress address;
  std::memcpy(address.bytes.data(), &word, sizeof word);
  return address;
}

std::optional<IpAddress> ParseProcIpv6Hex(std::string_view hex) {
  if (hex.size() != 32 || !IsHexDigits(hex)) return std::nullopt;
  IpAddress address;
  address.is_v6 = true;
  for (size_t i = 0; i < 16; ++i) {
    uint64_t byte = 0;
    if (!ParseUint64(hex.substr(i * 2, 2), &byte, 16)) return std::nullopt;
    address.bytes[i] = static_cast<uint8_t>(byte);
  }
  return address;
}

std::optional<IpAddress> ParseIpAddressText(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string copy(text);
  IpAddress address;
  if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) return address;
  address.is_v6 = true;
  if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) return address;
  return std::nullopt;
}

IpAddress PrefixToMask(int prefix, bool is_v6) {
  IpAddress mask;
  mask.is_v6 = is_v6;
  int bits = std::clamp(prefix, 0, is_v6 ? 128 : 32);
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    mask.bytes[i] = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
  }
  return mask;
}

std::optional<int> MaskToPrefix(const IpAddress& mask) {
  int prefix = 0;
  bool seen_zero = false;
  for (size_t i = 0; i < mask.size(); ++i) {
    for (int bit = 7; bit >= 0; --bit) {
      bool one = (mask.bytes[i] >> bit) & 1;
      if (one && seen_zero) return std::nullopt;
      if (one)
        ++prefix;
      else
        seen_zero = true;
    }
  }
  return prefix;
}

bool IsIpv6LinkLocal(const IpAddress& address) {
  return address.is_v6 && address.bytes[0] == 0xfe && (address.bytes[1] & 0xc0) == 0x80;
}

}  // namespace warden
