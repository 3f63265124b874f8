// What the fleet's hosts have, from their agents' snapshots: installed
// packages and listening sockets (each a full snapshot that replaces the
// previous one, keeping when each item was first seen), when each snapshot
// last arrived, and the latest status of each detector (from status
// records). A snapshot older than the one already stored is ignored, so
// records delivered out of order never roll a host back. Reads are
// thread-safe; writes run inside a store transaction (see store.h).
// Not here: vulnerability matching (vulnerability_finding_repository.h
// holds its outcome) or the per-run detector history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct HostPackage {
  int64_t id = 0;
  int64_t host_id = 0;
  std::string name;
  std::string version;
  std::string arch;  // "" when unknown
  std::optional<std::string> source;
  std::optional<std::string> source_version;
  std::string manager = "deb";  // "deb" or "rpm"
  int64_t cve_count = 0;        // findings on this package (set by vulnerability matching)
  EpochMs first_seen_at = 0;
  EpochMs last_seen_at = 0;
};

struct HostPort {
  int64_t id = 0;
  int64_t host_id = 0;
  std::string hostname;
  std::string protocol;  // "tcp", "udp"
  std::string family;    // "ipv4", "ipv6"
  std::string address;
  int64_t port = 0;
  std::optional<int64_t> pid;
  std::optional<std::string> process;
  std::optional<std::string> path;
  std::optional<std::string> user;
  bool loopback = false;  // bound to a loopback address only
  EpochMs first_seen_at = 0;
  EpochMs last_seen_at = 0;
};

struct DetectorState {
  int64_t host_id = 0;
  std::string rule_id;
  bool enabled = true;
  std::optional<EpochMs> last_run_at;
  std::optional<int64_t> duration_ms;
  // The spec's RunOutcome: succeeded, failed, timed_out, skipped, running.
  std::optional<std::string> outcome;
  std::optional<std::string> result;
  std::optional<EpochMs> next_run_at;
  bool running = false;
  int64_t runs = 0;
  int64_t failures = 0;
  EpochMs updated_at = 0;
};

// When each snapshot of a host last arrived; nullopt: never.
struct InventoryTimes {
  std::optional<EpochMs> packages_at;
  std::optional<EpochMs> ports_at;
  std::optional<EpochMs> os_at;
};

// What a host's detail page counts (the spec's HostCounts).
struct HostFleetCounts {
  int64_t open_problems = 0;
  int64_t open_problems_by_risk[6] = {};  // by RiskLevel rank 1..5 (index 0 unused)
  int64_t dismissed_problems = 0;
  int64_t vulnerabilities = 0;                  // distinct CVEs
  int64_t vulnerabilities_by_severity[5] = {};  // distinct CVEs by their highest severity rank
  int64_t open_ports = 0;
  int64_t packages = 0;
};

// Fields: id, name, version, first_seen_at, cve_count (sortable; default
// name); host_id (equality; every sort has a (host_id, sort, id) index, so
// lists are read per host); manager, arch (text, equality).
const ListSchema& HostPackageListSchema();
// Fields: id, port, protocol, address, process, first_seen_at, last_seen_at
// (sortable; default port); host_id (equality, as above); loopback
// (boolean), family (text, equality).
const ListSchema& HostPortListSchema();

class HostInventoryRepository {
 public:
  virtual ~HostInventoryRepository() = default;
  virtual Result<ListPage<HostPackage>> ListPackages(const ListQuery& query) = 0;
  virtual Status ExportPackages(const ListQuery& query, const RowCallback<HostPackage>& row) = 0;
  virtual Result<ListPage<HostPort>> ListPorts(const ListQuery& query) = 0;
  virtual Status ExportPorts(const ListQuery& query, const RowCallback<HostPort>& row) = 0;
  // A host's detectors, by rule id.
  virtual Result<std::vector<DetectorState>> Detectors(int64_t host_id) = 0;
  virtual Result<InventoryTimes> Times(int64_t host_id) = 0;
  // The host's counts from one snapshot: problems (open by risk,
  // dismissed), distinct CVEs (by severity), listeners, packages.
  virtual Result<HostFleetCounts> Counts(int64_t host_id) = 0;
};

class HostInventoryWriter {
 public:
  virtual ~HostInventoryWriter() = default;
  // Replaces the host's packages with `packages` taken at `at` (their
  // host_id, ids and times are ignored; first_seen_at is kept for a package
  // of the same name, arch and version). False, changing nothing, when a
  // snapshot taken after `at` is already stored. InvalidArgument for a
  // package without name or version.
  virtual Result<bool> ReplacePackages(int64_t host_id, const std::vector<HostPackage>& packages,
                                       EpochMs at) = 0;
  // The same for listeners, identified by (protocol, address, port).
  virtual Result<bool> ReplacePorts(int64_t host_id, const std::string& hostname,
                                    const std::vector<HostPort>& ports, EpochMs at) = 0;
  // Records that an OS snapshot arrived at `at`; false when a newer one was
  // stored.
  virtual Result<bool> TouchOs(int64_t host_id, EpochMs at) = 0;
  // Replaces the host's detector states with `detectors` (reported at
  // `at`); false, changing nothing, when newer ones are stored.
  virtual Result<bool> ReplaceDetectors(int64_t host_id,
                                        const std::vector<DetectorState>& detectors,
                                        EpochMs at) = 0;
};

}  // namespace warden::store
