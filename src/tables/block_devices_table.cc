// block_devices: disks and partitions from /sys/block (see
// block_device_scan.h), named by their /dev node as osquery does. size is in
// 512-byte sectors (sysfs's unit, as osquery reports it), block_size is the
// logical block size in bytes. type/uuid/label come from the udev database
// or the device's superblock and are only looked up when selected.
// WHERE name = '/dev/sda1' skips probing every other device.
#include <set>

#include "sql/table.h"
#include "tables/block_device_scan.h"
#include "tables/system_tables.h"

namespace warden {

void RegisterBlockDevicesTable(TableRegistry& registry) {
  registry.Add(
      TableSchema{"block_devices",
                  "Block devices (disks and partitions) with size and filesystem identity.",
                  {{"name", ColumnType::kText, kIndex},
                   {"parent", ColumnType::kText},
                   {"vendor", ColumnType::kText},
                   {"model", ColumnType::kText},
                   {"serial", ColumnType::kText},
                   {"size", ColumnType::kBigInt},
                   {"block_size", ColumnType::kInteger},
                   {"uuid", ColumnType::kText, kNone, "nocase"},
                   {"type", ColumnType::kText},
                   {"label", ColumnType::kText}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        auto names = ctx.TextEquals("name");
        std::optional<std::set<std::string>> wanted;
        if (names) wanted.emplace(names->begin(), names->end());
        const bool probe =
            ctx.IsUsed("type") || ctx.IsUsed("uuid") || ctx.IsUsed("label") || ctx.IsUsed("serial");
        for (BlockDevice& d : ListBlockDevices(ctx.fs(), [&ctx] { return ctx.Cancelled(); })) {
          if (wanted && wanted->count(d.name) == 0) continue;
          if (probe) ProbeBlockDevice(ctx.fs(), d);
          Row& row = out.Add();
          row.Set("name", d.name);
          row.Set("parent", d.parent);
          row.Set("vendor", d.vendor);
          row.Set("model", d.model);
          row.Set("serial", d.serial);
          row.Set("size", d.size);
          row.Set("block_size", d.block_size);
          if (d.signature) {
            row.Set("uuid", d.signature->uuid);
            row.Set("type", d.signature->type);
            row.Set("label", d.signature->label);
          }
        }
        return Status::Ok();
      });
}

}  // namespace warden
