// Tests of the address parsing and printing helpers of the network tables.
#include "tables/network_address_text.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

namespace warden {
namespace {

TEST(NetworkAddressTextTest, ProcIpv4HexIsTheKernelsRawWord) {
  // The kernel prints the in-memory address as a host-order integer; build
  // that text the same way so the test holds on any endianness.
  const uint8_t bytes[4] = {192, 168, 1, 1};
  uint32_t word;
  std::memcpy(&word, bytes, 4);
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08X", word);
  auto address = ParseProcIpv4Hex(hex);
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(IpAddressText(*address), "192.168.1.1");
}

TEST(NetworkAddressTextTest, MalformedHexIsRejected) {
  EXPECT_FALSE(ParseProcIpv4Hex("0100007").has_value());
  EXPECT_FALSE(ParseProcIpv4Hex("0100007G").has_value());
  EXPECT_FALSE(ParseProcIpv4Hex("-100007F").has_value());
  EXPECT_FALSE(ParseProcIpv6Hex("fe80").has_value());
  EXPECT_FALSE(ParseProcIpv6Hex(std::string(32, 'x')).has_value());
}

TEST(NetworkAddressTextTest, ProcIpv6HexIsNetworkOrder) {
  auto address = ParseProcIpv6Hex("fe80000000000000021122fffe334455");
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(IpAddressText(*address), "fe80::211:22ff:fe33:4455");
  EXPECT_TRUE(IsIpv6LinkLocal(*address));
  EXPECT_FALSE(IsIpv6LinkLocal(*ParseIpAddressText("fec0::1")));
}

TEST(NetworkAddressTextTest, PrefixesBecomeOsqueryStyleMasks) {
  EXPECT_EQ(IpAddressText(PrefixToMask(24, false)), "255.255.255.0");
  EXPECT_EQ(IpAddressText(PrefixToMask(0, false)), "0.0.0.0");
  EXPECT_EQ(IpAddressText(PrefixToMask(20, false)), "255.255.240.0");
  EXPECT_EQ(IpAddressText(PrefixToMask(99, false)), "255.255.255.255");
  EXPECT_EQ(IpAddressText(PrefixToMask(64, true)), "ffff:ffff:ffff:ffff::");
  EXPECT_EQ(IpAddressText(PrefixToMask(128, true)), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

TEST(NetworkAddressTextTest, MaskToPrefixRefusesNonContiguousMasks) {
  EXPECT_EQ(MaskToPrefix(*ParseIpAddressText("255.255.240.0")), 20);
  EXPECT_EQ(MaskToPrefix(*ParseIpAddressText("0.0.0.0")), 0);
  EXPECT_EQ(MaskToPrefix(*ParseIpAddressText("ffff:ffff::")), 32);
  EXPECT_FALSE(MaskToPrefix(*ParseIpAddressText("255.0.255.0")).has_value());
}

TEST(NetworkAddressTextTest, TextParsingAcceptsBothFamiliesOnly) {
  EXPECT_FALSE(ParseIpAddressText("").has_value());
  EXPECT_FALSE(ParseIpAddressText("10.0.0").has_value());
  EXPECT_FALSE(ParseIpAddressText("localhost").has_value());
  EXPECT_FALSE(ParseIpAddressText(std::string(200, '1')).has_value());
  EXPECT_TRUE(ParseIpAddressText("::ffff:10.0.0.1")->is_v6);
}

}  // namespace
}  // namespace warden
