// smbios_tables: every structure of the SMBIOS/DMI table (see
// smbios_table.h), in table order: number is the position, type and its
// description, handle, header_size (the formatted area's length), size
// (formatted area + strings + terminator) and the MD5 of those bytes, as
// osquery computes them. No DMI table (containers, some VMs): no rows.
#include <openssl/evp.h>

#include "core/encoding.h"
#include "sql/table.h"
#include "tables/smbios_table.h"
#include "tables/system_tables.h"

namespace warden {

void RegisterSmbiosTablesTable(TableRegistry& registry) {
  registry.Add(TableSchema{"smbios_tables",
                           "Structures of the firmware's SMBIOS (DMI) table.",
                           {{"number", ColumnType::kInteger},
                            {"type", ColumnType::kInteger},
                            {"description", ColumnType::kText},
                            {"handle", ColumnType::kInteger},
                            {"header_size", ColumnType::kInteger},
                            {"size", ColumnType::kInteger},
                            {"md5", ColumnType::kText, kNone, "nocase"}}},
               [](const QueryContext& ctx, RowWriter& out) -> Status {
                 SmbiosTable table = SmbiosTable::Read(ctx.fs());
                 const bool want_md5 = ctx.IsUsed("md5");
                 int64_t number = 0;
                 for (const SmbiosStructure& s : table.structures()) {
                   Row& row = out.Add();
                   row.Set("number", number++);
                   row.Set("type", s.type);
                   row.Set("description", SmbiosTypeDescription(s.type));
                   row.Set("handle", s.handle);
                   row.Set("header_size", s.header_length);
                   row.Set("size", static_cast<int64_t>(s.raw.size()));
                   if (want_md5) row.Set("md5", DigestHex(EVP_md5(), s.raw));
                 }
                 return Status::Ok();
               });
}

}  // namespace warden
