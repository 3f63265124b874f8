#include "agent/inventory_records.h"

#include <algorithm>

#include "core/encoding.h"
#include "inventory/package_inventory.h"

namespace warden {

namespace {

Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

InventorySnapshot Snapshot(const std::string& type, Json items, int64_t now_ms,
                           const std::string& summary) {
  std::sort(items.begin(), items.end());
  InventorySnapshot s;
  s.content_hash = Sha256Hex(items.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  s.record.kind = RecordKind::kInventory;
  s.record.time_ms = now_ms;
  s.record.id =
      "inventory-" + type + "-" + s.content_hash.substr(0, 24) + "-" + std::to_string(now_ms);
  s.record.body = Json{{"type", type}, {"items", std::move(items)}};
  s.record.summary = summary;
  return s;
}

}  // namespace

InventorySnapshot PortsInventory(const std::vector<ListeningSocket>& sockets, int64_t now_ms) {
  Json items = Json::array();
  for (const ListeningSocket& s : sockets) {
    if (s.protocol != "tcp" && s.protocol != "udp") continue;
    if (s.port < 0 || s.port > 65535) continue;
    Json item = {{"protocol", s.protocol},
                 {"address", s.address},
                 {"port", s.port},
                 {"pid", s.pid >= 0 ? Json(s.pid) : Json(nullptr)},
                 {"process", NullIfEmpty(s.process_name)},
                 {"path", NullIfEmpty(s.process_path)},
                 {"user", NullIfEmpty(s.user)}};
    if (s.family == 2) item["family"] = "ipv4";
    if (s.family == 10) item["family"] = "ipv6";
    items.push_back(std::move(item));
  }
  const size_t n = items.size();
  return Snapshot("ports", std::move(items), now_ms,
                  "inventory: " + std::to_string(n) + " listening sockets");
}

Result<InventorySnapshot> PackagesInventory(const HostFs& fs, int64_t now_ms) {
  Json items = Json::array();
  ASSIGN_OR_RETURN(std::vector<DebPackage> debs, ReadDpkgStatus(fs));
  for (const DebPackage& p : debs) {
    if (!p.IsUnpacked() || p.name.empty() || p.version.empty()) continue;
    items.push_back(Json{{"name", p.name},
                         {"version", p.version},
                         {"arch", NullIfEmpty(p.arch)},
                         {"source", NullIfEmpty(p.source)},
                         {"source_version", NullIfEmpty(p.source_version)},
                         {"manager", "deb"}});
  }
  ASSIGN_OR_RETURN(std::vector<RpmPackage> rpms, ReadRpmDatabase(fs));
  for (const RpmPackage& p : rpms) {
    if (p.name.empty() || p.version.empty()) continue;
    items.push_back(Json{{"name", p.name},
                         {"version", p.Evr()},
                         {"arch", NullIfEmpty(p.arch)},
                         {"source", NullIfEmpty(p.source_rpm)},
                         {"source_version", nullptr},
                         {"manager", "rpm"}});
  }
  const size_t n = items.size();
  return Snapshot("packages", std::move(items), now_ms,
                  "inventory: " + std::to_string(n) + " packages");
}

}  // namespace warden
