#include "core/encoding.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

namespace warden {
namespace {

TEST(EncodingTest, HexOfBytesAndDigests) {
  EXPECT_EQ(HexEncode(std::string_view("\x00\x7f\xff\x10", 4)), "007fff10");
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(DigestHex(EVP_md5(), ""), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(EncodingTest, Base64RoundTripsEveryLengthWithAndWithoutPadding) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    std::string enc = Base64Encode(bytes);
    EXPECT_EQ(enc.size() % 4, 0u);
    auto dec = Base64Decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, bytes);
    std::string unpadded = enc.substr(0, enc.find('='));
    auto dec2 = Base64Decode(unpadded);
    ASSERT_TRUE(dec2.has_value()) << unpadded;
    EXPECT_EQ(*dec2, bytes);
    bytes.push_back(static_cast<char>(i * 37));
  }
  EXPECT_EQ(Base64Encode("Man"), "TWFu");
}

TEST(EncodingTest, Base64SkipsLineBreaksAndRejectsJunk) {
  EXPECT_EQ(Base64Decode("aGVs\nbG8g\r\nd29y bGQ=\n").value_or("?"), "hello world");
  EXPECT_FALSE(Base64Decode("aGVs*G8=").has_value());
  EXPECT_FALSE(Base64Decode("aGVsb").has_value()) << "5 characters cannot end a byte";
  EXPECT_FALSE(Base64Decode("aG=Vs").has_value()) << "padding in the middle";
  EXPECT_EQ(Base64Decode("").value_or("?"), "");
}

}  // namespace
}  // namespace warden
