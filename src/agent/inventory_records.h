// The inventory snapshots the agent sends to the control-plane server, as
// records of kind `inventory` (InventoryRecordBody in api/openapi.yaml):
//   {"type": "ports", "items": [{protocol, family, address, port, pid,
//     process, path, user}]}  - every listener, after each open-ports run;
//   {"type": "packages", "items": [{name, version, arch, source,
//     source_version, manager}]} - every installed package, when the list
//     changed (and once at start).
// A snapshot replaces the previous one on the server. Ids are
// "inventory-<type>-<content hash>-<time ms>": the same snapshot resent after
// a lost answer keeps its id (the server stores it once), and a later
// snapshot always has a new one, even when the content went back to an
// earlier state. Items are sorted so equal content hashes equal. Not here:
// judging the listeners or packages (the detectors do that).
#pragma once

#include <string>
#include <vector>

#include "core/host_fs.h"
#include "delivery/record.h"
#include "detectors/listening_socket.h"

namespace warden {

struct InventorySnapshot {
  Record record;
  std::string content_hash;  // sha256 of the sorted items
};

InventorySnapshot PortsInventory(const std::vector<ListeningSocket>& sockets, int64_t now_ms);
// Packages from dpkg's and rpm's databases under `fs`.
Result<InventorySnapshot> PackagesInventory(const HostFs& fs, int64_t now_ms);

}  // namespace warden
