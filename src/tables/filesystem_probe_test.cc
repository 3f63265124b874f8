#include "tables/filesystem_probe.h"

#include <gtest/gtest.h>

#include <string>

#include "tables/system_fixture_test_util.h"

namespace warden {
namespace {

std::string Fixture(const std::string& device) {
  return system_test::ReadWholeFile(system_test::SystemRoot() + "/dev/" + device);
}

TEST(FilesystemProbeTest, Ext4WithJournalAndExtents) {
  auto sig = ProbeFilesystem(Fixture("sda1"));
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(sig->type, "ext4");
  EXPECT_EQ(sig->uuid, "8d3e51b4-a2f6-4c1e-9b7a-0c5d6e2f1a3b");
  EXPECT_EQ(sig->label, "rootfs");
}

TEST(FilesystemProbeTest, ExtWithoutExt4FeaturesIsExt3OrExt2) {
  std::string sb = Fixture("sda1");
  // Clear incompat (keeping filetype) and ro_compat features beyond ext3's.
  sb[1024 + 96] = 0x02;
  sb[1024 + 97] = 0;
  sb[1024 + 100] = 0x03;
  sb[1024 + 101] = 0;
  EXPECT_EQ(ProbeFilesystem(sb)->type, "ext3");
  sb[1024 + 92] = 0;  // no journal
  EXPECT_EQ(ProbeFilesystem(sb)->type, "ext2");
}

TEST(FilesystemProbeTest, Luks2HeaderGivesVersionAndSegmentCipher) {
  auto sig = ProbeFilesystem(Fixture("sda2"));
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(sig->type, "crypto_LUKS");
  EXPECT_EQ(sig->uuid, "6a1f5c3e-2b4d-4e8f-9a0b-1c2d3e4f5a6b");
  EXPECT_EQ(sig->luks_version, "LUKS2");
  EXPECT_EQ(sig->luks_cipher, "aes");
  EXPECT_EQ(sig->luks_cipher_mode, "xts-plain64");
}

TEST(FilesystemProbeTest, Luks1HeaderCarriesCipherFields) {
  std::string hdr(592, '\0');
  hdr.replace(0, 6, std::string("LUKS\xba\xbe", 6));
  hdr[7] = 1;
  hdr.replace(8, 7, "serpent");
  hdr.replace(40, 15, "cbc-essiv:sha256");
  hdr.replace(168, 36, "11111111-2222-3333-4444-555555555555");
  auto sig = ProbeFilesystem(hdr);
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(sig->luks_version, "LUKS1");
  EXPECT_EQ(sig->luks_cipher, "serpent");
  EXPECT_EQ(sig->luks_cipher_mode, "cbc-essiv:sha256");
  EXPECT_EQ(sig->uuid, "11111111-2222-3333-4444-555555555555");
}

TEST(FilesystemProbeTest, LvmPhysicalVolumeUuidIsGroupedLikeBlkid) {
  auto sig = ProbeFilesystem(Fixture("dm-0"));
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(sig->type, "LVM2_member");
  EXPECT_EQ(sig->uuid, "Xk3Jd9-F2mQ-8wL1-pR7s-T4vB-6nC0-yH5gZa");
}

TEST(FilesystemProbeTest, XfsAndVfat) {
  auto xfs = ProbeFilesystem(Fixture("dm-1"));
  ASSERT_TRUE(xfs.has_value());
  EXPECT_EQ(xfs->type, "xfs");
  EXPECT_EQ(xfs->uuid, "c7a1e9d2-443b-4f0e-8a6d-2b1f0e9c8d7a");
  auto vfat = ProbeFilesystem(Fixture("sdb1"));
  ASSERT_TRUE(vfat.has_value());
  EXPECT_EQ(vfat->type, "vfat");
  EXPECT_EQ(vfat->uuid, "5A3C-19E2");
  EXPECT_EQ(vfat->label, "BACKUP");
}

TEST(FilesystemProbeTest, SwapSignatureAtTheEndOfTheFirstPage) {
  std::string page(4096, '\0');
  page.replace(4096 - 10, 10, "SWAPSPACE2");
  page.replace(1024 + 28, 4, "swap");
  auto sig = ProbeFilesystem(page);
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(sig->type, "swap");
  EXPECT_EQ(sig->label, "swap");
}

TEST(FilesystemProbeTest, ShortOrUnknownDataMatchesNothing) {
  EXPECT_FALSE(ProbeFilesystem("").has_value());
  EXPECT_FALSE(ProbeFilesystem(std::string(70000, 'x')).has_value());
  EXPECT_FALSE(ProbeFilesystem(std::string("LUKS\xba\xbe", 6)).has_value());  // truncated header
  EXPECT_FALSE(ProbeFilesystem(Fixture("sda1").substr(0, 1100)).has_value());
}

}  // namespace
}  // namespace warden
