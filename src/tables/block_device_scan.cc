#include "tables/block_device_scan.h"

#include "core/strings.h"
#include "tables/sysfs_attributes.h"

namespace warden {
namespace {

// Kernel names use '!' where the /dev path has '/' ("cciss!c0d0").
std::string DevPath(std::string_view kernel_name) {
  std::string path = "/dev/";
  for (char c : kernel_name) path += c == '!' ? '/' : c;
  return path;
}

BlockDevice ReadCommon(const HostFs& fs, const std::string& sysfs_path,
                       const std::string& kernel_name) {
  BlockDevice d;
  d.kernel_name = kernel_name;
  d.name = DevPath(kernel_name);
  d.sysfs_path = sysfs_path;
  d.size = ReadIntegerAttribute(fs, sysfs_path + "/size");
  d.major_minor = ReadAttribute(fs, sysfs_path + "/dev").value_or("");
  return d;
}

void ReadDiskIdentity(const HostFs& fs, BlockDevice& d) {
  const std::string device = d.sysfs_path + "/device";
  // SCSI/SATA/USB disks and NVMe controllers have a model name; virtio's
  // "vendor" is a PCI id, not a name, and it has no model: leave both unset.
  if (auto model = ReadAttribute(fs, device + "/model")) {
    d.model = *model;
    d.vendor = ReadAttribute(fs, device + "/vendor").value_or("");
  }
  if (auto serial = ReadAttribute(fs, d.sysfs_path + "/serial"); serial && !serial->empty())
    d.serial = *serial;
  else if (auto dev_serial = ReadAttribute(fs, device + "/serial"))
    d.serial = *dev_serial;
}

}  // namespace

std::vector<BlockDevice> ListBlockDevices(const HostFs& fs,
                                          const std::function<bool()>& cancelled) {
  std::vector<BlockDevice> devices;
  for (const std::string& disk : ListDirSorted(fs, "/sys/block")) {
    if (cancelled()) break;
    const std::string base = "/sys/block/" + disk;
    if (!fs.IsDirectory(base)) continue;  // vanished
    BlockDevice d = ReadCommon(fs, base, disk);
    d.block_size = ReadIntegerAttribute(fs, base + "/queue/logical_block_size");
    ReadDiskIdentity(fs, d);
    if (auto uuid = ReadAttribute(fs, base + "/dm/uuid")) d.dm_uuid = *uuid;
    if (auto name = ReadAttribute(fs, base + "/dm/name")) d.dm_name = *name;
    d.slaves = ListDirSorted(fs, base + "/slaves");
    if (!d.slaves.empty()) d.parent = DevPath(d.slaves.front());
    std::vector<std::string> entries = ListDirSorted(fs, base);
    BlockDevice disk_device = d;
    devices.push_back(std::move(d));
    for (const std::string& entry : entries) {
      const std::string part_path = base + "/" + entry;
      if (!fs.Exists(part_path + "/partition")) continue;
      BlockDevice p = ReadCommon(fs, part_path, entry);
      p.parent = disk_device.name;
      p.block_size = disk_device.block_size;
      p.vendor = disk_device.vendor;
      p.model = disk_device.model;
      p.serial = disk_device.serial;
      devices.push_back(std::move(p));
    }
  }
  return devices;
}

void ProbeBlockDevice(const HostFs& fs, BlockDevice& device) {
  std::optional<FilesystemSignature> from_udev;
  if (!device.major_minor.empty()) {
    // systemd-udevd's record of what it found on the device ("E:KEY=value").
    auto udev = fs.ReadFile("/run/udev/data/b" + device.major_minor, 1 << 20);
    if (udev.ok()) {
      std::string env;
      for (std::string_view line : SplitString(*udev, '\n'))
        if (StartsWith(line, "E:")) {
          env.append(line.substr(2));
          env += '\n';
        }
      auto props = ParseKeyValueLines(env);
      if (device.serial.empty() && props.count("ID_SERIAL_SHORT"))
        device.serial = props["ID_SERIAL_SHORT"];
      if (props.count("ID_FS_TYPE") && !props["ID_FS_TYPE"].empty()) {
        from_udev = FilesystemSignature{};
        from_udev->type = props["ID_FS_TYPE"];
        from_udev->uuid = props["ID_FS_UUID"];
        from_udev->label = props["ID_FS_LABEL"];
      }
    }
  }
  // udev does not record a LUKS header's version or cipher: read the header.
  bool need_header = !from_udev || from_udev->type == "crypto_LUKS";
  if (need_header && device.size.value_or(0) > 0) {
    auto head = fs.ReadFile(device.name, kFilesystemProbeBytes);
    if (head.ok()) {
      if (auto probed = ProbeFilesystem(*head)) {
        device.signature = std::move(probed);
        return;
      }
    }
  }
  device.signature = std::move(from_udev);
}

}  // namespace warden
