#include "tables/hardware_ids_database.h"

#include "core/strings.h"
#include "tables/sysfs_attributes.h"

namespace warden {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool IsHexRun(std::string_view s, size_t n) {
  if (s.size() < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (!IsHex(s[i])) return false;
  return true;
}

// "1af4  Red Hat, Inc." -> id "1af4", name "Red Hat, Inc."; false when the
// line does not start with `digits` hex digits followed by whitespace.
bool SplitIdLine(std::string_view line, size_t digits, std::string* id, std::string_view* name) {
  if (!IsHexRun(line, digits)) return false;
  if (line.size() > digits && line[digits] != ' ' && line[digits] != '\t') return false;
  *id = AsciiLower(line.substr(0, digits));
  *name = TrimWhitespace(line.substr(digits));
  return !name->empty();
}

}  // namespace

HardwareIdsDatabase HardwareIdsDatabase::Parse(std::string_view text,
                                               const std::set<std::string>& wanted_vendors) {
  HardwareIdsDatabase db;
  enum class Section { kNone, kVendor, kSkippedVendor, kClass, kOther } section = Section::kNone;
  std::string vendor, device, class_id, subclass_id;
  for (std::string_view line : SplitString(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::string id;
    std::string_view name;
    if (line[0] != '\t') {
      if (StartsWith(line, "C ")) {
        section =
            SplitIdLine(line.substr(2), 2, &class_id, &name) ? Section::kClass : Section::kOther;
        if (section == Section::kClass) db.names_["c:" + class_id] = std::string(name);
      } else if (SplitIdLine(line, 4, &vendor, &name)) {
        bool wanted = wanted_vendors.empty() || wanted_vendors.count(vendor) > 0;
        section = wanted ? Section::kVendor : Section::kSkippedVendor;
        if (wanted) db.names_["v:" + vendor] = std::string(name);
      } else {
        section = Section::kOther;  // usb.ids AT/HID/R/... sections
      }
      continue;
    }
    bool two_tabs = line.size() > 1 && line[1] == '\t';
    std::string_view body = line.substr(two_tabs ? 2 : 1);
    if (section == Section::kVendor) {
      if (!two_tabs) {
        if (SplitIdLine(body, 4, &device, &name))
          db.names_["d:" + vendor + ":" + device] = std::string(name);
        else
          device.clear();
      } else if (!device.empty() && IsHexRun(body, 4) && body.size() > 5 && body[4] == ' ') {
        std::string subvendor = AsciiLower(body.substr(0, 4));
        std::string subdevice;
        if (SplitIdLine(body.substr(5), 4, &subdevice, &name))
          db.names_["s:" + vendor + ":" + device + ":" + subvendor + ":" + subdevice] =
              std::string(name);
      }
    } else if (section == Section::kClass && !two_tabs) {
      if (SplitIdLine(body, 2, &subclass_id, &name))
        db.names_["sc:" + class_id + ":" + subclass_id] = std::string(name);
    }
  }
  return db;
}

HardwareIdsDatabase HardwareIdsDatabase::Load(const HostFs& fs,
                                              const std::vector<std::string>& paths,
                                              const std::set<std::string>& wanted_vendors) {
  for (const auto& path : paths) {
    auto text = fs.ReadFile(path, 32u << 20);
    if (text.ok()) return Parse(*text, wanted_vendors);
  }
  return HardwareIdsDatabase();
}

std::optional<std::string> HardwareIdsDatabase::Find(const std::string& key) const {
  auto it = names_.find(key);
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> HardwareIdsDatabase::Vendor(std::string_view vendor) const {
  return Find("v:" + AsciiLower(vendor));
}

std::optional<std::string> HardwareIdsDatabase::Device(std::string_view vendor,
                                                       std::string_view device) const {
  return Find("d:" + AsciiLower(vendor) + ":" + AsciiLower(device));
}

std::optional<std::string> HardwareIdsDatabase::Subsystem(std::string_view vendor,
                                                          std::string_view device,
                                                          std::string_view subvendor,
                                                          std::string_view subdevice) const {
  return Find("s:" + AsciiLower(vendor) + ":" + AsciiLower(device) + ":" + AsciiLower(subvendor) +
              ":" + AsciiLower(subdevice));
}

std::optional<std::string> HardwareIdsDatabase::Class(std::string_view class_id) const {
  return Find("c:" + AsciiLower(class_id));
}

std::optional<std::string> HardwareIdsDatabase::Subclass(std::string_view class_id,
                                                         std::string_view subclass_id) const {
  return Find("sc:" + AsciiLower(class_id) + ":" + AsciiLower(subclass_id));
}

const std::vector<std::string>& PciIdsPaths() {
  static const std::vector<std::string> kPaths = {
      "/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids"};
  return kPaths;
}

const std::vector<std::string>& UsbIdsPaths() {
  static const std::vector<std::string> kPaths = {
      "/usr/share/misc/usb.ids", "/usr/share/hwdata/usb.ids", "/var/lib/usbutils/usb.ids",
      "/usr/share/usb.ids"};
  return kPaths;
}

}  // namespace warden
