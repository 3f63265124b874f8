// Recognises what a block device holds from the first bytes of the device
// (its superblock), the way blkid does for block_devices' type/uuid/label and
// disk_encryption's LUKS cipher: ext2/3/4, xfs, btrfs, swap, vfat, LVM2
// physical volumes, LUKS1/LUKS2, squashfs and iso9660. Pure function over
// bytes: callers read the device (through HostFs) and pass what they got; a
// short read simply matches fewer signatures. It does not verify checksums
// or look past the first kFilesystemProbeBytes, so it can be fooled by a
// device whose superblock was overwritten; blkid itself has the same limit.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace warden {

// Enough for every signature recognised (btrfs's superblock is at 64 KiB).
inline constexpr size_t kFilesystemProbeBytes = 72 * 1024;

struct FilesystemSignature {
  std::string type;   // blkid's names: "ext4", "xfs", "crypto_LUKS", "LVM2_member", ...
  std::string uuid;   // as blkid prints it ("" when the format has none)
  std::string label;  // "" when unset
  // LUKS only: header version ("LUKS1"/"LUKS2") and cipher as cryptsetup
  // names it: cipher "aes", mode "xts-plain64".
  std::string luks_version;
  std::string luks_cipher;
  std::string luks_cipher_mode;
};

std::optional<FilesystemSignature> ProbeFilesystem(std::string_view head);

}  // namespace warden
