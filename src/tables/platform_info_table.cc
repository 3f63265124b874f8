// platform_info: the system firmware (BIOS/UEFI) from the SMBIOS BIOS
// Information structure (type 0): vendor, version, release date, the
// runtime segment address ("0xe800"), ROM size in bytes (TEXT, as osquery),
// and the BIOS major.minor revision. firmware_type is "uefi" when the kernel
// booted through EFI (/sys/firmware/efi exists), else "bios". volume_size is
// 0 and extra "" as in osquery on Linux. No SMBIOS table: no row.
#include <cstdio>

#include "sql/table.h"
#include "tables/smbios_table.h"
#include "tables/system_tables.h"

namespace warden {

void RegisterPlatformInfoTable(TableRegistry& registry) {
  registry.Add(
      TableSchema{"platform_info",
                  "System firmware (BIOS/UEFI) vendor, version and date.",
                  {{"vendor", ColumnType::kText},
                   {"version", ColumnType::kText, kNone, "version"},
                   {"date", ColumnType::kText},
                   {"revision", ColumnType::kText},
                   {"extra", ColumnType::kText},
                   {"firmware_type", ColumnType::kText},
                   {"address", ColumnType::kText},
                   {"size", ColumnType::kText},
                   {"volume_size", ColumnType::kInteger}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        SmbiosTable table = SmbiosTable::Read(ctx.fs());
        const SmbiosStructure* bios = table.FindFirst(kSmbiosBiosInformation);
        if (bios == nullptr || bios->header_length < 0x12) return Status::Ok();
        Row& row = out.Add();
        row.Set("vendor", bios->StringAt(0x04));
        row.Set("version", bios->StringAt(0x05));
        row.Set("date", bios->StringAt(0x08));
        char buf[32];
        std::snprintf(buf, sizeof buf, "0x%04x", bios->Word(0x06).value_or(0));
        row.Set("address", std::string(buf));
        // The ROM size byte counts 64 KiB blocks, minus one.
        row.Set("size", std::to_string((static_cast<int64_t>(bios->Byte(0x09).value_or(0)) + 1) *
                                       64 * 1024));
        auto major = bios->Byte(0x14), minor = bios->Byte(0x15);
        if (major && minor)
          row.Set("revision", std::to_string(*major) + "." + std::to_string(*minor));
        row.Set("extra", "");
        row.Set("volume_size", 0);
        row.Set("firmware_type", ctx.fs().IsDirectory("/sys/firmware/efi") ? "uefi" : "bios");
        return Status::Ok();
      });
}

}  // namespace warden
