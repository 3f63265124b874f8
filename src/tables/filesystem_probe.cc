#include "tables/filesystem_probe.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "core/strings.h"

namespace warden {
namespace {

bool HasAt(std::string_view data, size_t offset, std::string_view magic) {
  return offset + magic.size() <= data.size() && data.substr(offset, magic.size()) == magic;
}

uint32_t Le32(std::string_view d, size_t o) {
  return static_cast<uint32_t>(static_cast<uint8_t>(d[o])) |
         (static_cast<uint32_t>(static_cast<uint8_t>(d[o + 1])) << 8) |
         (static_cast<uint32_t>(static_cast<uint8_t>(d[o + 2])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(d[o + 3])) << 24);
}

uint16_t Be16(std::string_view d, size_t o) {
  return static_cast<uint16_t>((static_cast<uint8_t>(d[o]) << 8) | static_cast<uint8_t>(d[o + 1]));
}

uint64_t Be64(std::string_view d, size_t o) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(d[o + i]);
  return v;
}

// A fixed-size, NUL-padded text field, trimmed of trailing spaces.
std::string FixedString(std::string_view d, size_t offset, size_t size) {
  if (offset >= d.size()) return "";
  std::string_view field = d.substr(offset, size);
  size_t nul = field.find('\0');
  if (nul != std::string_view::npos) field = field.substr(0, nul);
  while (!field.empty() && field.back() == ' ') field.remove_suffix(1);
  return std::string(field);
}

// 16 raw bytes as a lower-case RFC 4122 string; "" when all zero.
std::string UuidFromBytes(std::string_view d, size_t offset) {
  if (offset + 16 > d.size()) return "";
  bool all_zero = true;
  std::string out;
  char buf[3];
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    auto b = static_cast<uint8_t>(d[offset + i]);
    all_zero = all_zero && b == 0;
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return all_zero ? "" : out;
}

std::optional<FilesystemSignature> ProbeLuks(std::string_view d) {
  if (!HasAt(d, 0, std::string_view("LUKS\xba\xbe", 6)) || d.size() < 208) return std::nullopt;
  FilesystemSignature sig;
  sig.type = "crypto_LUKS";
  uint16_t version = Be16(d, 6);
  sig.uuid = FixedString(d, 168, 40);
  if (version == 1) {
    sig.luks_version = "LUKS1";
    sig.luks_cipher = FixedString(d, 8, 32);
    sig.luks_cipher_mode = FixedString(d, 40, 32);
    return sig;
  }
  sig.luks_version = version == 2 ? "LUKS2" : "LUKS" + std::to_string(version);
  sig.label = FixedString(d, 24, 48);
  // LUKS2 keeps its metadata as JSON after the 4 KiB binary header; the
  // first data segment's "encryption" names the cipher ("aes-xts-plain64").
  uint64_t header_size = Be64(d, 8);
  if (header_size > 4096 && d.size() > 4096) {
    std::string_view json = d.substr(
        4096, static_cast<size_t>(std::min<uint64_t>(header_size - 4096, d.size() - 4096)));
    // The data segment's cipher, not a keyslot area's (they may differ).
    size_t segments = json.find("\"segments\"");
    size_t key =
        segments == std::string_view::npos ? segments : json.find("\"encryption\"", segments);
    if (key != std::string_view::npos) {
      size_t colon = json.find(':', key);
      size_t open = colon == std::string_view::npos ? colon : json.find('"', colon);
      size_t close = open == std::string_view::npos ? open : json.find('"', open + 1);
      if (close != std::string_view::npos && close - open < 128) {
        std::string_view spec = json.substr(open + 1, close - open - 1);
        size_t dash = spec.find('-');
        sig.luks_cipher = std::string(spec.substr(0, dash));
        if (dash != std::string_view::npos)
          sig.luks_cipher_mode = std::string(spec.substr(dash + 1));
      }
    }
  }
  return sig;
}

std::optional<FilesystemSignature> ProbeExt(std::string_view d) {
  constexpr size_t kSuper = 1024;
  if (!HasAt(d, kSuper + 56, std::string_view("\x53\xef", 2)) || d.size() < kSuper + 136)
    return std::nullopt;
  uint32_t compat = Le32(d, kSuper + 92);
  uint32_t incompat = Le32(d, kSuper + 96);
  uint32_t ro_compat = Le32(d, kSuper + 100);
  // ext3 knows only these; anything else (extents, 64bit, flex_bg, huge
  // files, ...) needs ext4, as blkid decides.
  constexpr uint32_t kExt3Incompat = 0x0002 | 0x0004 | 0x0010;  // filetype, recover, meta_bg
  constexpr uint32_t kExt3RoCompat =
      0x0001 | 0x0002 | 0x0004;  // sparse_super, large_file, btree_dir
  FilesystemSignature sig;
  if ((incompat & ~kExt3Incompat) != 0 || (ro_compat & ~kExt3RoCompat) != 0)
    sig.type = "ext4";
  else if (compat & 0x0004)
    sig.type = "ext3";  // has_journal
  else
    sig.type = "ext2";
  sig.uuid = UuidFromBytes(d, kSuper + 104);
  sig.label = FixedString(d, kSuper + 120, 16);
  return sig;
}

std::optional<FilesystemSignature> ProbeXfs(std::string_view d) {
  if (!HasAt(d, 0, "XFSB") || d.size() < 120) return std::nullopt;
  FilesystemSignature sig;
  sig.type = "xfs";
  sig.uuid = UuidFromBytes(d, 32);
  sig.label = FixedString(d, 108, 12);
  return sig;
}

std::optional<FilesystemSignature> ProbeBtrfs(std::string_view d) {
  constexpr size_t kSuper = 64 * 1024;
  if (!HasAt(d, kSuper + 64, "_BHRfS_M") || d.size() < kSuper + 299 + 256) return std::nullopt;
  FilesystemSignature sig;
  sig.type = "btrfs";
  sig.uuid = UuidFromBytes(d, kSuper + 32);
  sig.label = FixedString(d, kSuper + 299, 256);
  return sig;
}

std::optional<FilesystemSignature> ProbeSwap(std::string_view d) {
  // The signature ends the first page, whatever the page size was.
  for (size_t page : {4096u, 8192u, 16384u, 65536u}) {
    if (HasAt(d, page - 10, "SWAPSPACE2") || HasAt(d, page - 10, "SWAP-SPACE")) {
      FilesystemSignature sig;
      sig.type = "swap";
      if (d.size() >= 1024 + 44) {
        sig.uuid = UuidFromBytes(d, 1024 + 12);
        sig.label = FixedString(d, 1024 + 28, 16);
      }
      return sig;
    }
  }
  return std::nullopt;
}

std::optional<FilesystemSignature> ProbeLvm(std::string_view d) {
  // The label sits in one of the first four sectors.
  for (size_t sector = 0; sector < 4; ++sector) {
    size_t label = sector * 512;
    if (!HasAt(d, label, "LABELONE") || !HasAt(d, label + 24, "LVM2 001")) continue;
    size_t pv = label + Le32(d, label + 20);
    if (pv + 32 > d.size()) return std::nullopt;
    std::string_view id = d.substr(pv, 32);
    // blkid groups the 32 characters 6-4-4-4-4-4-6.
    static constexpr size_t kGroups[] = {6, 4, 4, 4, 4, 4, 6};
    std::string uuid;
    size_t at = 0;
    for (size_t g : kGroups) {
      if (!uuid.empty()) uuid += '-';
      uuid += id.substr(at, g);
      at += g;
    }
    FilesystemSignature sig;
    sig.type = "LVM2_member";
    sig.uuid = uuid;
    return sig;
  }
  return std::nullopt;
}

std::optional<FilesystemSignature> ProbeVfat(std::string_view d) {
  if (d.size() < 512 || static_cast<uint8_t>(d[510]) != 0x55 ||
      static_cast<uint8_t>(d[511]) != 0xaa)
    return std::nullopt;
  size_t serial_at, label_at;
  if (HasAt(d, 82, "FAT32   ")) {
    serial_at = 67;
    label_at = 71;
  } else if (HasAt(d, 54, "FAT12   ") || HasAt(d, 54, "FAT16   ")) {
    serial_at = 39;
    label_at = 43;
  } else {
    return std::nullopt;
  }
  FilesystemSignature sig;
  sig.type = "vfat";
  uint32_t serial = Le32(d, serial_at);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04X-%04X", serial >> 16, serial & 0xffff);
  sig.uuid = buf;
  sig.label = FixedString(d, label_at, 11);
  if (sig.label == "NO NAME") sig.label.clear();
  return sig;
}

std::optional<FilesystemSignature> ProbeIso9660(std::string_view d) {
  constexpr size_t kDescriptor = 32768;
  if (!HasAt(d, kDescriptor + 1, "CD001")) return std::nullopt;
  FilesystemSignature sig;
  sig.type = "iso9660";
  sig.label = FixedString(d, kDescriptor + 40, 32);
  return sig;
}

}  // namespace

std::optional<FilesystemSignature> ProbeFilesystem(std::string_view head) {
  // Most specific first: LUKS and LVM headers can coexist with stale
  // filesystem superblocks further in.
  if (auto s = ProbeLuks(head)) return s;
  if (auto s = ProbeLvm(head)) return s;
  if (auto s = ProbeXfs(head)) return s;
  if (HasAt(head, 0, "hsqs")) return FilesystemSignature{"squashfs", "", "", "", "", ""};
  if (auto s = ProbeExt(head)) return s;
  if (auto s = ProbeBtrfs(head)) return s;
  if (auto s = ProbeSwap(head)) return s;
  if (auto s = ProbeIso9660(head)) return s;
  if (auto s = ProbeVfat(head)) return s;
  return std::nullopt;
}

}  // namespace warden
