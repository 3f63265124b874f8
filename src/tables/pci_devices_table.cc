// pci_devices: PCI functions from /sys/bus/pci/devices, one row each.
// Ids are formatted as osquery does: "0x" + 4 lower-case hex digits for
// vendor_id/model_id/subsystem_*_id, "0x" + 2 for pci_class_id and
// pci_subclass_id. Names come from pci.ids (the pci.ids package) when the
// host has it; without the file the name columns are NULL (osquery returns
// no rows at all then). pci_class and pci_subclass are the class names from
// the same file. driver is the bound kernel driver, NULL when none.
#include <cstdio>
#include <set>

#include "core/strings.h"
#include "sql/table.h"
#include "tables/hardware_ids_database.h"
#include "tables/sysfs_attributes.h"
#include "tables/system_tables.h"

namespace warden {
namespace {

constexpr std::string_view kPciDevices = "/sys/bus/pci/devices";

// A sysfs id attribute ("0x1af4") as `digits` lower-case hex digits, or "".
std::string HexId(const HostFs& fs, const std::string& path, int digits) {
  auto value = ReadIntegerAttribute(fs, path, 16);
  if (!value || *value < 0) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llx", digits, static_cast<unsigned long long>(*value));
  return buf;
}

struct PciFunction {
  std::string slot, vendor, device, subvendor, subdevice, class_id, subclass_id;
  std::optional<std::string> driver;
};

}  // namespace

void RegisterPciDevicesTable(TableRegistry& registry) {
  registry.Add(
      TableSchema{"pci_devices",
                  "PCI devices with vendor, model, class and bound driver.",
                  {{"pci_slot", ColumnType::kText},
                   {"pci_class", ColumnType::kText},
                   {"driver", ColumnType::kText},
                   {"vendor", ColumnType::kText},
                   {"vendor_id", ColumnType::kText, kNone, "nocase"},
                   {"model", ColumnType::kText},
                   {"model_id", ColumnType::kText, kNone, "nocase"},
                   {"pci_class_id", ColumnType::kText, kNone, "nocase"},
                   {"pci_subclass_id", ColumnType::kText, kNone, "nocase"},
                   {"pci_subclass", ColumnType::kText},
                   {"subsystem_vendor_id", ColumnType::kText, kNone, "nocase"},
                   {"subsystem_vendor", ColumnType::kText},
                   {"subsystem_model_id", ColumnType::kText, kNone, "nocase"},
                   {"subsystem_model", ColumnType::kText}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        const HostFs& fs = ctx.fs();
        std::vector<PciFunction> functions;
        std::set<std::string> vendors;
        for (const std::string& slot : ListDirSorted(fs, kPciDevices)) {
          if (ctx.Cancelled()) break;
          const std::string base = std::string(kPciDevices) + "/" + slot;
          PciFunction f;
          f.slot = slot;
          f.vendor = HexId(fs, base + "/vendor", 4);
          if (f.vendor.empty()) continue;  // vanished or not a PCI function
          f.device = HexId(fs, base + "/device", 4);
          f.subvendor = HexId(fs, base + "/subsystem_vendor", 4);
          f.subdevice = HexId(fs, base + "/subsystem_device", 4);
          std::string class_code = HexId(fs, base + "/class", 6);  // class, subclass, prog-if
          if (class_code.size() == 6) {
            f.class_id = class_code.substr(0, 2);
            f.subclass_id = class_code.substr(2, 2);
          }
          f.driver = ReadLinkBasename(fs, base + "/driver");
          vendors.insert(f.vendor);
          if (!f.subvendor.empty()) vendors.insert(f.subvendor);
          functions.push_back(std::move(f));
        }
        if (functions.empty()) return Status::Ok();

        const bool want_names = ctx.IsUsed("vendor") || ctx.IsUsed("model") ||
                                ctx.IsUsed("pci_class") || ctx.IsUsed("pci_subclass") ||
                                ctx.IsUsed("subsystem_vendor") || ctx.IsUsed("subsystem_model");
        HardwareIdsDatabase ids;
        if (want_names) ids = HardwareIdsDatabase::Load(fs, PciIdsPaths(), vendors);

        for (const PciFunction& f : functions) {
          Row& row = out.Add();
          row.Set("pci_slot", f.slot);
          row.Set("driver", f.driver);
          row.Set("vendor_id", "0x" + f.vendor);
          if (!f.device.empty()) row.Set("model_id", "0x" + f.device);
          if (!f.class_id.empty()) {
            row.Set("pci_class_id", "0x" + f.class_id);
            row.Set("pci_subclass_id", "0x" + f.subclass_id);
          }
          if (!f.subvendor.empty()) row.Set("subsystem_vendor_id", "0x" + f.subvendor);
          if (!f.subdevice.empty()) row.Set("subsystem_model_id", "0x" + f.subdevice);
          if (!want_names) continue;
          row.Set("vendor", ids.Vendor(f.vendor));
          row.Set("model", ids.Device(f.vendor, f.device));
          if (!f.class_id.empty()) {
            row.Set("pci_class", ids.Class(f.class_id));
            row.Set("pci_subclass", ids.Subclass(f.class_id, f.subclass_id));
          }
          if (!f.subvendor.empty()) {
            row.Set("subsystem_vendor", ids.Vendor(f.subvendor));
            row.Set("subsystem_model", ids.Subsystem(f.vendor, f.device, f.subvendor, f.subdevice));
          }
        }
        return Status::Ok();
      });
}

}  // namespace warden
