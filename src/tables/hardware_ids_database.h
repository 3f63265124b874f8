// HardwareIdsDatabase turns numeric PCI and USB ids into names using the
// pci.ids / usb.ids files that Debian ships in the pci.ids and usb.ids
// packages (/usr/share/misc/, or /usr/share/hwdata/ on RHEL-family hosts).
// The format, shared by both files:
//   vvvv  Vendor name
//   <TAB>dddd  Device name
//   <TAB><TAB>ssss tttt  Subsystem name        (subvendor subdevice)
//   C cc  Class name                           (device classes section)
//   <TAB>ss  Subclass name
//   <TAB><TAB>pp  Programming interface name
// Other sections of usb.ids (AT, HID, R, ...) are skipped. Ids are matched in
// lower case. A host without the files gets no names, never an error.
// Only vendors a caller asks for are kept, so a lookup of a few devices does
// not build a map of the whole 1.3 MB file.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/host_fs.h"

namespace warden {

class HardwareIdsDatabase {
 public:
  HardwareIdsDatabase() = default;

  // Parses ids text. When wanted_vendors is non-empty, only those vendors'
  // entries are kept (ids in lower case, 4 hex digits); classes are always kept.
  static HardwareIdsDatabase Parse(std::string_view text,
                                   const std::set<std::string>& wanted_vendors = {});
  // Reads the first of `paths` that exists; an empty database when none does.
  static HardwareIdsDatabase Load(const HostFs& fs, const std::vector<std::string>& paths,
                                  const std::set<std::string>& wanted_vendors = {});

  bool empty() const { return names_.empty(); }
  // Ids are hex strings without "0x" (any case).
  std::optional<std::string> Vendor(std::string_view vendor) const;
  std::optional<std::string> Device(std::string_view vendor, std::string_view device) const;
  std::optional<std::string> Subsystem(std::string_view vendor, std::string_view device,
                                       std::string_view subvendor,
                                       std::string_view subdevice) const;
  std::optional<std::string> Class(std::string_view class_id) const;
  std::optional<std::string> Subclass(std::string_view class_id,
                                      std::string_view subclass_id) const;

 private:
  std::optional<std::string> Find(const std::string& key) const;
  // Keys: "v:1af4", "d:1af4:1001", "s:1af4:1001:1af4:0002", "c:01", "sc:01:00".
  std::unordered_map<std::string, std::string> names_;
};

// Where Debian and RHEL-family hosts keep the files.
const std::vector<std::string>& PciIdsPaths();
const std::vector<std::string>& UsbIdsPaths();

}  // namespace warden
