// Host inventories (packages, listeners) and detector states: snapshots
// that replace what a host had, keeping first-seen times. Vulnerability
// findings are in sqlite_vulnerabilities.cc.

#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

constexpr std::string_view kPackageColumns =
    "id, host_id, name, version, arch, source, source_version, manager, cve_count, "
    "first_seen_at, last_seen_at";

HostPackage ReadPackage(SqliteStatement& st) {
  HostPackage p;
  p.id = st.Int(0);
  p.host_id = st.Int(1);
  p.name = st.Text(2);
  p.version = st.Text(3);
  p.arch = st.Text(4);
  p.source = OptionalText(st, 5);
  p.source_version = OptionalText(st, 6);
  p.manager = st.Text(7);
  p.cve_count = st.Int(8);
  p.first_seen_at = st.Int(9);
  p.last_seen_at = st.Int(10);
  return p;
}

constexpr std::string_view kPortColumns =
    "id, host_id, hostname, protocol, family, address, port, pid, process, path, user_name, "
    "loopback, first_seen_at, last_seen_at";

HostPort ReadPort(SqliteStatement& st) {
  HostPort p;
  p.id = st.Int(0);
  p.host_id = st.Int(1);
  p.hostname = st.Text(2);
  p.protocol = st.Text(3);
  p.family = st.Text(4);
  p.address = st.Text(5);
  p.port = st.Int(6);
  p.pid = OptionalInt(st, 7);
  p.process = OptionalText(st, 8);
  p.path = OptionalText(st, 9);
  p.user = OptionalText(st, 10);
  p.loopback = st.Int(11) != 0;
  p.first_seen_at = st.Int(12);
  p.last_seen_at = st.Int(13);
  return p;
}

DetectorState ReadDetector(SqliteStatement& st) {
  DetectorState d;
  d.host_id = st.Int(0);
  d.rule_id = st.Text(1);
  d.enabled = st.Int(2) != 0;
  d.last_run_at = OptionalInt(st, 3);
  d.duration_ms = OptionalInt(st, 4);
  d.outcome = OptionalText(st, 5);
  d.result = OptionalText(st, 6);
  d.next_run_at = OptionalInt(st, 7);
  d.running = st.Int(8) != 0;
  d.runs = st.Int(9);
  d.failures = st.Int(10);
  d.updated_at = st.Int(11);
  return d;
}

Status RunHostStatement(SqliteConnection& conn, std::string_view sql, int64_t host_id,
                        std::optional<EpochMs> at = std::nullopt) {
  ASSIGN_OR_RETURN(ScopedStatement st, conn.Statement(sql));
  st->Bind(1, host_id);
  if (at) st->Bind(2, *at);
  return st->Run();
}

}  // namespace

const ListTable& HostPackageListTable() {
  static const ListTable table{
      &HostPackageListSchema(),
      "host_packages",
      kPackageColumns,
      11,
      "id",
      {
          {"id", "id"},
          {"name", "name"},
          {"version", "version"},
          {"first_seen_at", "first_seen_at"},
          {"cve_count", "cve_count"},
          {"host_id", "host_id"},
          {"manager", "manager"},
          {"arch", "arch"},
      },
  };
  return table;
}

const ListTable& HostPortListTable() {
  static const ListTable table{
      &HostPortListSchema(),
      "host_ports",
      kPortColumns,
      14,
      "id",
      {
          {"id", "id"},
          {"port", "port"},
          {"protocol", "protocol"},
          {"address", "address"},
          {"process", "process_key"},
          {"first_seen_at", "first_seen_at"},
          {"last_seen_at", "last_seen_at"},
          {"host_id", "host_id"},
          {"loopback", "loopback"},
          {"family", "family"},
      },
  };
  return table;
}

// ---- read side

Result<ListPage<HostPackage>> SqliteHostInventoryRepository::ListPackages(const ListQuery& query) {
  return ListFromPool<HostPackage>(pool_, HostPackageListTable(), query, ReadPackage);
}

Status SqliteHostInventoryRepository::ExportPackages(const ListQuery& query,
                                                     const RowCallback<HostPackage>& row) {
  return ExportFromPool<HostPackage>(pool_, HostPackageListTable(), query, ReadPackage, row);
}

Result<ListPage<HostPort>> SqliteHostInventoryRepository::ListPorts(const ListQuery& query) {
  return ListFromPool<HostPort>(pool_, HostPortListTable(), query, ReadPort);
}

Status SqliteHostInventoryRepository::ExportPorts(const ListQuery& query,
                                                  const RowCallback<HostPort>& row) {
  return ExportFromPool<HostPort>(pool_, HostPortListTable(), query, ReadPort, row);
}

Result<std::vector<DetectorState>> SqliteHostInventoryRepository::Detectors(int64_t host_id) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      lease.conn().Statement("SELECT host_id, rule_id, enabled, last_run_at, duration_ms, outcome, "
                             "result, next_run_at, running, runs, failures, updated_at FROM "
                             "host_detectors WHERE host_id = ?1 ORDER BY rule_id"));
  st->Bind(1, host_id);
  std::vector<DetectorState> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadDetector(*st));
  }
  return out;
}

Result<InventoryTimes> SqliteHostInventoryRepository::Times(int64_t host_id) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement("SELECT packages_at, ports_at, os_at FROM "
                                          "host_inventory WHERE host_id = ?1"));
  st->Bind(1, host_id);
  InventoryTimes t;
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (row) {
    t.packages_at = OptionalInt(*st, 0);
    t.ports_at = OptionalInt(*st, 1);
    t.os_at = OptionalInt(*st, 2);
  }
  return t;
}

Result<HostFleetCounts> SqliteHostInventoryRepository::Counts(int64_t host_id) {
  ReadPool::Lease lease = pool_.Acquire();
  SqliteConnection& conn = lease.conn();
  ASSIGN_OR_RETURN(ReadSnapshot snapshot, ReadSnapshot::Begin(conn));
  HostFleetCounts c;
  // Each query returns (key, count) rows.
  auto rows = [&](std::string_view sql,
                  const std::function<void(SqliteStatement&)>& row) -> Status {
    ASSIGN_OR_RETURN(ScopedStatement st, conn.Statement(sql));
    st->Bind(1, host_id);
    for (;;) {
      ASSIGN_OR_RETURN(bool more, st->Step());
      if (!more) return Status::Ok();
      row(*st);
    }
  };
  RETURN_IF_ERROR(rows(
      "SELECT status, risk_rank, COUNT(*) FROM fleet_problems WHERE host_id = ?1 AND status IN "
      "('open', 'dismissed') GROUP BY status, risk_rank",
      [&](SqliteStatement& st) {
        const int64_t n = st.Int(2);
        if (st.Text(0) == "dismissed") {
          c.dismissed_problems += n;
          return;
        }
        c.open_problems += n;
        const int64_t rank = st.Int(1);
        if (rank >= 1 && rank <= 5) c.open_problems_by_risk[rank] += n;
      }));
  RETURN_IF_ERROR(
      rows("SELECT severity, COUNT(*) FROM (SELECT cve, MAX(severity_rank) AS severity FROM "
           "host_vulnerabilities WHERE host_id = ?1 GROUP BY cve) AS per_cve GROUP BY severity",
           [&](SqliteStatement& st) {
             const int64_t n = st.Int(1);
             c.vulnerabilities += n;
             const int64_t rank = st.Int(0);
             if (rank >= 0 && rank <= 4) c.vulnerabilities_by_severity[rank] += n;
           }));
  RETURN_IF_ERROR(rows("SELECT COUNT(*) FROM host_ports WHERE host_id = ?1",
                       [&](SqliteStatement& st) { c.open_ports = st.Int(0); }));
  RETURN_IF_ERROR(rows("SELECT COUNT(*) FROM host_packages WHERE host_id = ?1",
                       [&](SqliteStatement& st) { c.packages = st.Int(0); }));
  return c;
}

// ---- write side

Result<bool> SqliteHostInventoryWriter::AdvanceSnapshot(int64_t host_id, std::string_view column,
                                                        EpochMs at) {
  RETURN_IF_ERROR(RunHostStatement(
      conn_, "INSERT INTO host_inventory (host_id) VALUES (?1) ON CONFLICT (host_id) DO NOTHING",
      host_id));
  std::string c(column);
  ASSIGN_OR_RETURN(int64_t changed, RunCountingChanges(conn_,
                                                       "UPDATE host_inventory SET " + c +
                                                           " = ?2 WHERE host_id = "
                                                           "?1 AND (" +
                                                           c + " IS NULL OR " + c + " <= ?2)",
                                                       [&](SqliteStatement& st) {
                                                         st.Bind(1, host_id).Bind(2, at);
                                                       }));
  return changed == 1;
}

Result<bool> SqliteHostInventoryWriter::ReplacePackages(int64_t host_id,
                                                        const std::vector<HostPackage>& packages,
                                                        EpochMs at) {
  for (size_t i = 0; i < packages.size(); ++i)
    if (packages[i].name.empty() || packages[i].version.empty())
      return InvalidArgument("packages[" + std::to_string(i) + "]: name and version are required");
  ASSIGN_OR_RETURN(bool newer, AdvanceSnapshot(host_id, "packages_at", at));
  if (!newer) return false;
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn_.Statement("INSERT INTO host_packages (host_id, name, version, arch, source, "
                      "source_version, manager, first_seen_at, last_seen_at) VALUES (?1, ?2, ?3, "
                      "?4, ?5, ?6, ?7, ?8, ?8) ON CONFLICT (host_id, name, arch, version) DO "
                      "UPDATE SET source = excluded.source, source_version = "
                      "excluded.source_version, manager = excluded.manager, last_seen_at = "
                      "excluded.last_seen_at"));
  for (const HostPackage& p : packages) {
    st->Bind(1, host_id).Bind(2, p.name).Bind(3, p.version).Bind(4, p.arch);
    BindOptionalText(*st, 5, p.source);
    BindOptionalText(*st, 6, p.source_version);
    st->Bind(7, p.manager).Bind(8, at);
    RETURN_IF_ERROR(st->Run());
    st->Reset();
  }
  RETURN_IF_ERROR(RunHostStatement(
      conn_, "DELETE FROM host_packages WHERE host_id = ?1 AND last_seen_at <> ?2", host_id, at));
  return true;
}

Result<bool> SqliteHostInventoryWriter::ReplacePorts(int64_t host_id, const std::string& hostname,
                                                     const std::vector<HostPort>& ports,
                                                     EpochMs at) {
  for (size_t i = 0; i < ports.size(); ++i)
    if (ports[i].protocol.empty() || ports[i].port < 0 || ports[i].port > 65535)
      return InvalidArgument("ports[" + std::to_string(i) +
                             "]: a protocol and a port in 0..65535 are required");
  ASSIGN_OR_RETURN(bool newer, AdvanceSnapshot(host_id, "ports_at", at));
  if (!newer) return false;
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn_.Statement("INSERT INTO host_ports (host_id, hostname, protocol, family, address, "
                      "port, pid, process, path, user_name, loopback, process_key, "
                      "first_seen_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                      "?10, ?11, ?12, ?13, ?13) ON CONFLICT (host_id, protocol, address, port) "
                      "DO UPDATE SET hostname = excluded.hostname, family = excluded.family, pid "
                      "= excluded.pid, process = excluded.process, path = excluded.path, "
                      "user_name = excluded.user_name, loopback = excluded.loopback, "
                      "process_key = excluded.process_key, last_seen_at = "
                      "excluded.last_seen_at"));
  for (const HostPort& p : ports) {
    st->Bind(1, host_id)
        .Bind(2, hostname)
        .Bind(3, p.protocol)
        .Bind(4, p.family)
        .Bind(5, p.address)
        .Bind(6, p.port);
    BindOptional(*st, 7, p.pid);
    BindOptionalText(*st, 8, p.process);
    BindOptionalText(*st, 9, p.path);
    BindOptionalText(*st, 10, p.user);
    st->Bind(11, int64_t{p.loopback ? 1 : 0}).Bind(12, p.process.value_or("")).Bind(13, at);
    RETURN_IF_ERROR(st->Run());
    st->Reset();
  }
  RETURN_IF_ERROR(RunHostStatement(
      conn_, "DELETE FROM host_ports WHERE host_id = ?1 AND last_seen_at <> ?2", host_id, at));
  return true;
}

Result<bool> SqliteHostInventoryWriter::TouchOs(int64_t host_id, EpochMs at) {
  return AdvanceSnapshot(host_id, "os_at", at);
}

Result<bool> SqliteHostInventoryWriter::ReplaceDetectors(
    int64_t host_id, const std::vector<DetectorState>& detectors, EpochMs at) {
  for (size_t i = 0; i < detectors.size(); ++i)
    if (detectors[i].rule_id.empty())
      return InvalidArgument("detectors[" + std::to_string(i) + "]: rule_id is required");
  ASSIGN_OR_RETURN(bool newer, AdvanceSnapshot(host_id, "status_at", at));
  if (!newer) return false;
  RETURN_IF_ERROR(
      RunHostStatement(conn_, "DELETE FROM host_detectors WHERE host_id = ?1", host_id));
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn_.Statement("INSERT INTO host_detectors (host_id, rule_id, enabled, last_run_at, "
                      "duration_ms, outcome, result, next_run_at, running, runs, failures, "
                      "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON "
                      "CONFLICT (host_id, rule_id) DO NOTHING"));
  for (const DetectorState& d : detectors) {
    st->Bind(1, host_id).Bind(2, d.rule_id).Bind(3, int64_t{d.enabled ? 1 : 0});
    BindOptional(*st, 4, d.last_run_at);
    BindOptional(*st, 5, d.duration_ms);
    BindOptionalText(*st, 6, d.outcome);
    BindOptionalText(*st, 7, d.result);
    BindOptional(*st, 8, d.next_run_at);
    st->Bind(9, int64_t{d.running ? 1 : 0}).Bind(10, d.runs).Bind(11, d.failures).Bind(12, at);
    RETURN_IF_ERROR(st->Run());
    st->Reset();
  }
  return true;
}

}  // namespace warden::store
