#include "tables/smbios_table.h"

#include <gtest/gtest.h>

#include <string>

namespace warden {
namespace {

// A structure: header (type, length, handle), formatted bytes, string set.
std::string Structure(uint8_t type, uint16_t handle, const std::string& formatted,
                      const std::string& strings) {
  std::string s;
  s += static_cast<char>(type);
  s += static_cast<char>(4 + formatted.size());
  s += static_cast<char>(handle & 0xff);
  s += static_cast<char>(handle >> 8);
  s += formatted;
  s += strings.empty() ? std::string("\0\0", 2) : strings + std::string("\0", 1);
  return s;
}

TEST(SmbiosTableTest, StringsAreOneBasedAndRightTrimmed) {
  auto table = SmbiosTable::Parse(
      Structure(1, 7, std::string("\x01\x02\x00\x05", 4), std::string("Vendor  \0Model\0", 15)));
  ASSERT_EQ(table.structures().size(), 1u);
  const auto& s = table.structures()[0];
  EXPECT_EQ(s.handle, 7);
  EXPECT_EQ(s.StringAt(0x04), "Vendor");
  EXPECT_EQ(s.StringAt(0x05), "Model");
  EXPECT_EQ(s.StringAt(0x06), "");  // index 0: no string
  EXPECT_EQ(s.StringAt(0x07), "");  // index 5: past the string set
  EXPECT_EQ(s.StringAt(0x40), "");  // beyond the formatted area
}

TEST(SmbiosTableTest, FieldsBeyondAShortStructureAreAbsent) {
  auto table = SmbiosTable::Parse(Structure(0, 0, std::string("\x01\x02", 2), ""));
  const auto& s = table.structures()[0];
  EXPECT_TRUE(s.Byte(0x05).has_value());
  EXPECT_FALSE(s.Byte(0x06).has_value());
  EXPECT_FALSE(s.Word(0x05).has_value());
  EXPECT_FALSE(s.Dword(0x04).has_value());
}

TEST(SmbiosTableTest, RawSizeIncludesStringsAndTerminator) {
  std::string blob = Structure(2, 1, "abc", std::string("x\0", 2)) + Structure(127, 0xfeff, "", "");
  auto table = SmbiosTable::Parse(blob);
  ASSERT_EQ(table.structures().size(), 2u);
  EXPECT_EQ(table.structures()[0].raw.size(), 4u + 3u + 3u);
  EXPECT_EQ(table.structures()[1].raw.size(), 6u);
}

TEST(SmbiosTableTest, StopsAtZeroPaddingAndBadLengths) {
  std::string blob = Structure(4, 2, "zz", "") + std::string(16, '\0');
  EXPECT_EQ(SmbiosTable::Parse(blob).structures().size(), 1u);
  std::string bad = Structure(4, 2, "zz", "");
  bad[1] = static_cast<char>(200);  // length past the end of the data
  EXPECT_TRUE(SmbiosTable::Parse(bad).empty());
}

TEST(SmbiosTableTest, MissingTerminatorEndsParsing) {
  std::string blob =
      Structure(1, 1, "abcd", "") + std::string("\x02\x06\x00\x00xyNOTERMINATOR", 18);
  EXPECT_EQ(SmbiosTable::Parse(blob).structures().size(), 1u);
}

TEST(SmbiosTableTest, ViewsSurviveAMove) {
  auto table =
      SmbiosTable::Parse(Structure(1, 1, std::string("\x01", 1), std::string("Name\0", 5)));
  SmbiosTable moved = std::move(table);
  EXPECT_EQ(moved.structures()[0].StringAt(0x04), "Name");
}

}  // namespace
}  // namespace warden
