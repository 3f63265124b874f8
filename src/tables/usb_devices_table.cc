// usb_devices: USB devices from /sys/bus/usb/devices (root hubs included,
// interfaces left out: only entries with a bus and device number are
// devices). Values follow osquery's udev-derived conventions: vendor_id,
// model_id and version are the 4 hex digits of idVendor, idProduct and
// bcdDevice; class/subclass/protocol are the device's decimal codes (as
// udev's TYPE=9/0/3); usb_address is the bus number, usb_port the device
// number. vendor/model are names from usb.ids (the usb.ids package), or the
// device's own manufacturer/product strings when the file does not know
// them. removable: 1 removable, 0 fixed, -1 unknown (osquery reports 1 for
// anything not "unknown"; Warden keeps the kernel's distinction). A host
// without USB (most VMs) has no rows.
#include <set>

#include "core/strings.h"
#include "sql/table.h"
#include "tables/hardware_ids_database.h"
#include "tables/sysfs_attributes.h"
#include "tables/system_tables.h"

namespace warden {
namespace {

constexpr std::string_view kUsbDevices = "/sys/bus/usb/devices";

struct UsbDevice {
  int64_t bus = 0, devnum = 0;
  std::string vendor_id, product_id, revision, serial, manufacturer, product;
  std::optional<int64_t> device_class, subclass, protocol;
  std::optional<std::string> removable;
};

std::string LowerAttribute(const HostFs& fs, const std::string& path) {
  return AsciiLower(ReadAttribute(fs, path).value_or(""));
}

}  // namespace

void RegisterUsbDevicesTable(TableRegistry& registry) {
  registry.Add(TableSchema{"usb_devices",
                           "USB devices attached to the host.",
                           {{"usb_address", ColumnType::kInteger},
                            {"usb_port", ColumnType::kInteger},
                            {"vendor", ColumnType::kText},
                            {"vendor_id", ColumnType::kText, kNone, "nocase"},
                            {"version", ColumnType::kText, kNone, "version"},
                            {"model", ColumnType::kText},
                            {"model_id", ColumnType::kText, kNone, "nocase"},
                            {"serial", ColumnType::kText},
                            {"class", ColumnType::kText},
                            {"subclass", ColumnType::kText},
                            {"protocol", ColumnType::kText},
                            {"removable", ColumnType::kInteger}}},
               [](const QueryContext& ctx, RowWriter& out) -> Status {
                 const HostFs& fs = ctx.fs();
                 std::vector<UsbDevice> devices;
                 std::set<std::string> vendors;
                 for (const std::string& entry : ListDirSorted(fs, kUsbDevices)) {
                   if (ctx.Cancelled()) break;
                   const std::string base = std::string(kUsbDevices) + "/" + entry;
                   auto bus = ReadIntegerAttribute(fs, base + "/busnum");
                   auto devnum = ReadIntegerAttribute(fs, base + "/devnum");
                   if (!bus || !devnum) continue;  // an interface, or vanished
                   UsbDevice d;
                   d.bus = *bus;
                   d.devnum = *devnum;
                   d.vendor_id = LowerAttribute(fs, base + "/idVendor");
                   d.product_id = LowerAttribute(fs, base + "/idProduct");
                   d.revision = LowerAttribute(fs, base + "/bcdDevice");
                   d.serial = ReadAttribute(fs, base + "/serial").value_or("");
                   d.manufacturer = ReadAttribute(fs, base + "/manufacturer").value_or("");
                   d.product = ReadAttribute(fs, base + "/product").value_or("");
                   d.device_class = ReadIntegerAttribute(fs, base + "/bDeviceClass", 16);
                   d.subclass = ReadIntegerAttribute(fs, base + "/bDeviceSubClass", 16);
                   d.protocol = ReadIntegerAttribute(fs, base + "/bDeviceProtocol", 16);
                   d.removable = ReadAttribute(fs, base + "/removable");
                   if (!d.vendor_id.empty()) vendors.insert(d.vendor_id);
                   devices.push_back(std::move(d));
                 }
                 if (devices.empty()) return Status::Ok();

                 HardwareIdsDatabase ids;
                 if (ctx.IsUsed("vendor") || ctx.IsUsed("model"))
                   ids = HardwareIdsDatabase::Load(fs, UsbIdsPaths(), vendors);

                 for (const UsbDevice& d : devices) {
                   Row& row = out.Add();
                   row.Set("usb_address", d.bus);
                   row.Set("usb_port", d.devnum);
                   auto vendor = ids.Vendor(d.vendor_id);
                   auto model = ids.Device(d.vendor_id, d.product_id);
                   row.Set("vendor", vendor ? *vendor : d.manufacturer);
                   row.Set("model", model ? *model : d.product);
                   row.Set("vendor_id", d.vendor_id);
                   row.Set("model_id", d.product_id);
                   row.Set("version", d.revision);
                   row.Set("serial", d.serial);
                   if (d.device_class && d.subclass && d.protocol) {
                     row.Set("class", std::to_string(*d.device_class));
                     row.Set("subclass", std::to_string(*d.subclass));
                     row.Set("protocol", std::to_string(*d.protocol));
                   }
                   if (d.removable == "removable")
                     row.Set("removable", 1);
                   else if (d.removable == "fixed")
                     row.Set("removable", 0);
                   else
                     row.Set("removable", -1);
                 }
                 return Status::Ok();
               });
}

}  // namespace warden
