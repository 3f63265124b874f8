// Where the systemd_units table gets its units from. Two sources:
//   ListUnitsOverBus   the live host: systemd's own answer, over D-Bus
//                      (org.freedesktop.systemd1.Manager.ListUnits on the
//                      system bus, plus per-unit property reads), exactly as
//                      osquery does. libsystemd's sd-bus is loaded at run time
//                      with dlopen("libsystemd.so.0") so that the build needs
//                      only the sd-bus header (libsystemd-dev) and no new link
//                      dependency; when the header is missing at build time or
//                      the library at run time, it returns Unavailable.
//   ListUnitFiles      a mounted image or fixture tree (no running systemd to
//                      ask): one unit per unit file found in the unit search
//                      path, described as systemd would describe it before
//                      starting anything (see systemd_unit_files.cc).
// Neither source decides whether systemd is running; the table does.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/host_fs.h"
#include "core/status.h"

namespace warden {

// One unit, in osquery's systemd_units terms. Optional fields are NULL when
// not asked for or not applicable (User exists only for service units).
struct SystemdUnit {
  std::string id;
  std::string description;
  std::string load_state;                      // "loaded", "not-found", "masked", ...
  std::string active_state;                    // "active", "inactive", "failed", ...
  std::string sub_state;                       // "running", "exited", "dead", ...
  std::optional<std::string> unit_file_state;  // "enabled", "static", ...
  std::string following;
  std::string object_path;  // "/org/freedesktop/systemd1/unit/ssh_2eservice"
  int64_t job_id = 0;
  std::string job_type;
  std::string job_path;  // "/" when there is no job
  std::optional<std::string> fragment_path;
  std::optional<std::string> user;
  std::optional<std::string> source_path;
};

// Which per-unit properties to fetch (each costs a bus round trip per unit).
struct SystemdUnitProperties {
  bool unit_file_state = true;
  bool fragment_path = true;
  bool source_path = true;
  bool user = true;
};

Result<std::vector<SystemdUnit>> ListUnitsOverBus(const SystemdUnitProperties& wanted,
                                                  const std::function<bool()>& cancelled);

std::vector<SystemdUnit> ListUnitFiles(const HostFs& fs, const std::function<bool()>& cancelled);

// systemd's D-Bus object path of a unit: ASCII letters and digits kept, every
// other byte as "_xx" (lowercase hex).
std::string SystemdUnitObjectPath(std::string_view unit_id);

}  // namespace warden
