// disk_encryption: whether each block device is encrypted, for dm-crypt.
// A device-mapper device whose dm uuid starts with "CRYPT-" is an opened
// dm-crypt mapping ("CRYPT-LUKS2-<uuid>-<name>", "CRYPT-PLAIN-<name>"); its
// type is what libcryptsetup would report, joined as osquery does:
// "<header version>-<cipher>-<mode>" ("LUKS2-aes-xts-plain64"), with the
// cipher read from the LUKS header of the underlying device (just the header
// version when that device cannot be read). Devices stacked on an encrypted
// one (LVM on LUKS) are encrypted with the same type, as in osquery; every
// other block device is a row with encrypted 0 and status "not encrypted".
// uuid is the block device's filesystem uuid (as block_devices reports it).
// Only the device-mapper table status is not consulted (that needs the
// DM_TABLE_STATUS ioctl); a mapping with a detached header shows its version only.
#include <functional>
#include <map>
#include <set>

#include "core/strings.h"
#include "sql/table.h"
#include "tables/block_device_scan.h"
#include "tables/system_tables.h"

namespace warden {
namespace {

struct Encryption {
  bool encrypted = false;
  std::string type;
};

// "CRYPT-LUKS2-0a1b...-cryptroot" -> "LUKS2"; "CRYPT-PLAIN-name" -> "PLAIN".
std::string CryptTypeFromDmUuid(std::string_view dm_uuid) {
  dm_uuid.remove_prefix(6);
  return std::string(dm_uuid.substr(0, dm_uuid.find('-')));
}

}  // namespace

void RegisterDiskEncryptionTable(TableRegistry& registry) {
  registry.Add(TableSchema{"disk_encryption",
                           "Disk encryption (dm-crypt/LUKS) status of each block device.",
                           {{"name", ColumnType::kText, kIndex},
                            {"uuid", ColumnType::kText, kNone, "nocase"},
                            {"encrypted", ColumnType::kInteger},
                            {"type", ColumnType::kText},
                            {"encryption_status", ColumnType::kText}}},
               [](const QueryContext& ctx, RowWriter& out) -> Status {
                 auto names = ctx.TextEquals("name");
                 std::optional<std::set<std::string>> wanted;
                 if (names) wanted.emplace(names->begin(), names->end());
                 std::vector<BlockDevice> devices =
                     ListBlockDevices(ctx.fs(), [&ctx] { return ctx.Cancelled(); });
                 std::map<std::string, const BlockDevice*> by_name;
                 for (const auto& d : devices) by_name[d.name] = &d;

                 // Encryption of a device, following parents (bounded: a
                 // corrupt sysfs could describe a cycle).
                 std::map<std::string, Encryption> memo;
                 std::function<Encryption(const BlockDevice&, int)> encryption_of =
                     [&](const BlockDevice& d, int depth) -> Encryption {
                   if (auto it = memo.find(d.name); it != memo.end()) return it->second;
                   Encryption e;
                   if (StartsWith(d.dm_uuid, "CRYPT-")) {
                     e.encrypted = true;
                     e.type = CryptTypeFromDmUuid(d.dm_uuid);
                     // The LUKS header is on the device the mapping reads from.
                     if (auto parent = by_name.find(d.parent); parent != by_name.end()) {
                       BlockDevice underlying = *parent->second;
                       ProbeBlockDevice(ctx.fs(), underlying);
                       const auto& sig = underlying.signature;
                       if (sig && !sig->luks_version.empty()) {
                         e.type = sig->luks_version;
                         if (!sig->luks_cipher.empty()) e.type += "-" + sig->luks_cipher;
                         if (!sig->luks_cipher_mode.empty()) e.type += "-" + sig->luks_cipher_mode;
                       }
                     }
                   } else if (depth < 16) {
                     for (const std::string& slave : d.slaves) {
                       auto it = by_name.find("/dev/" + slave);
                       if (it == by_name.end()) continue;
                       Encryption below = encryption_of(*it->second, depth + 1);
                       if (below.encrypted) {
                         e = below;
                         break;
                       }
                     }
                   }
                   memo[d.name] = e;
                   return e;
                 };

                 for (BlockDevice& d : devices) {
                   if (ctx.Cancelled()) break;
                   if (wanted && wanted->count(d.name) == 0) continue;
                   Encryption e = encryption_of(d, 0);
                   if (ctx.IsUsed("uuid")) ProbeBlockDevice(ctx.fs(), d);
                   Row& row = out.Add();
                   row.Set("name", d.name);
                   if (d.signature) row.Set("uuid", d.signature->uuid);
                   row.Set("encrypted", e.encrypted ? 1 : 0);
                   if (e.encrypted) row.Set("type", e.type);
                   row.Set("encryption_status", e.encrypted ? "encrypted" : "not encrypted");
                 }
                 return Status::Ok();
               });
}

}  // namespace warden
