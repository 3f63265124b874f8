// Walks the kernel's block devices in sysfs (/sys/block/<disk> and each
// disk's partition directories) for block_devices and disk_encryption.
// Each device gets its /dev name, parent (the disk of a partition; the
// device-mapper or md device's first underlying device, so an LVM volume or
// an opened LUKS container points at what it is built on), size, logical
// block size, vendor/model/serial and its device-mapper uuid/name.
// Filesystem type, uuid and label are optional and costlier: the udev
// database (/run/udev/data/b<major>:<minor>) is used when present, otherwise
// the first bytes of /dev/<name> are probed (root only; a device without a
// readable node keeps them unset). Devices that vanish mid-walk are skipped.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/host_fs.h"
#include "tables/filesystem_probe.h"

namespace warden {

struct BlockDevice {
  std::string kernel_name;            // "sda1", "dm-0"
  std::string name;                   // "/dev/sda1"
  std::string parent;                 // "/dev/sda"; "" for a top-level disk
  std::string sysfs_path;             // "/sys/block/sda/sda1"
  std::optional<int64_t> size;        // in 512-byte sectors, as sysfs reports it
  std::optional<int64_t> block_size;  // logical block size in bytes
  std::string vendor, model, serial;
  std::string major_minor;          // "8:1"
  std::string dm_uuid, dm_name;     // device-mapper devices only
  std::vector<std::string> slaves;  // underlying devices' kernel names
  // Set by ProbeBlockDevice.
  std::optional<FilesystemSignature> signature;
};

// All block devices, each disk followed by its partitions, in name order.
// Partitions inherit the disk's vendor, model, serial and block size.
std::vector<BlockDevice> ListBlockDevices(
    const HostFs& fs, const std::function<bool()>& cancelled = [] { return false; });
// Fills device.signature from the udev database or the device's superblock,
// and the serial from the udev database when sysfs had none. Devices of size
// 0 (unbound loop/nbd devices) are not opened.
void ProbeBlockDevice(const HostFs& fs, BlockDevice& device);

}  // namespace warden
