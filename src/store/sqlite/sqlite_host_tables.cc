// Hosts, their labels and node keys, and enrol secrets.
#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"

namespace warden::store {
namespace {

constexpr std::string_view kHostColumns =
    "id, machine_id, instance_id, hostname, os_name, os_version, os_id, os_codename, kernel, "
    "arch, agent_type, agent_version, labels, enrolled_at, last_seen_at, duplicate_identity, "
    "revoked_at";

Host ReadHost(SqliteStatement& st) {
  Host h;
  h.id = st.Int(0);
  h.machine_id = st.Text(1);
  h.instance_id = st.Text(2);
  h.hostname = st.Text(3);
  h.os.name = st.Text(4);
  h.os.version = st.Text(5);
  h.os.id = st.Text(6);
  h.os.codename = st.Text(7);
  h.kernel = st.Text(8);
  h.arch = st.Text(9);
  h.agent_type = st.Text(10);
  h.agent_version = st.Text(11);
  h.labels = LabelsFromJson(st.Text(12));
  h.enrolled_at = st.Int(13);
  h.last_seen_at = st.Int(14);
  h.duplicate_identity = st.Int(15) != 0;
  h.revoked_at = OptionalInt(st, 16);
  return h;
}

constexpr std::string_view kSecretColumns =
    "id, name, labels, sha256, created_by, created_at, expires_at, revoked_at, last_used_at, "
    "uses";

EnrolSecret ReadSecret(SqliteStatement& st) {
  EnrolSecret s;
  s.id = st.Int(0);
  s.name = st.Text(1);
  s.labels = LabelsFromJson(st.Text(2));
  s.sha256 = st.Text(3);
  s.created_by = st.Text(4);
  s.created_at = st.Int(5);
  s.expires_at = OptionalInt(st, 6);
  s.revoked_at = OptionalInt(st, 7);
  s.last_used_at = OptionalInt(st, 8);
  s.uses = st.Int(9);
  return s;
}

constexpr std::string_view kNodeKeyColumns = "id, host_id, sha256, created_at, revoked_at";

NodeKey ReadNodeKey(SqliteStatement& st) {
  NodeKey k;
  k.id = st.Int(0);
  k.host_id = st.Int(1);
  k.sha256 = st.Text(2);
  k.created_at = st.Int(3);
  k.revoked_at = OptionalInt(st, 4);
  return k;
}

}  // namespace

const ListTable& EnrolSecretListTable() {
  static const ListTable table{
      &EnrolSecretListSchema(),
      "enrol_secrets",
      kSecretColumns,
      10,
      "id",
      {
          {"id", "id"},
          {"name", "name"},
          {"created_at", "created_at"},
          {"uses", "uses"},
          {"revoked", "revoked_at", ListColumn::Kind::kPresent},
      },
  };
  return table;
}

const ListTable& HostListTable() {
  static const ListTable table{
      &HostListSchema(),
      "hosts",
      kHostColumns,
      17,
      "id",
      {
          {"id", "id"},
          {"hostname", "hostname"},
          {"machine_id", "machine_id"},
          {"instance_id", "instance_id"},
          {"os_id", "os_id"},
          {"agent_type", "agent_type"},
          {"agent_version", "agent_version"},
          {"enrolled_at", "enrolled_at"},
          {"last_seen_at", "last_seen_at"},
          {"duplicate_identity", "duplicate_identity"},
          {"revoked", "revoked_at", ListColumn::Kind::kPresent},
          {"label", "id IN (SELECT host_id FROM host_labels WHERE label = ?)",
           ListColumn::Kind::kMembership},
      },
  };
  return table;
}

Result<std::optional<Host>> LoadHost(SqliteConnection& conn, int64_t id) {
  return QueryOne<Host>(
      conn, "SELECT " + std::string(kHostColumns) + " FROM hosts WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadHost);
}

Result<std::optional<EnrolSecret>> LoadEnrolSecret(SqliteConnection& conn, int64_t id) {
  return QueryOne<EnrolSecret>(
      conn, "SELECT " + std::string(kSecretColumns) + " FROM enrol_secrets WHERE id = ?1",
      [&](SqliteStatement& st) { st.Bind(1, id); }, ReadSecret);
}

// ---- hosts

Result<std::optional<Host>> SqliteHostRepository::Get(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadHost(lease.conn(), id);
}

Result<ListPage<Host>> SqliteHostRepository::List(const ListQuery& query) {
  return ListFromPool<Host>(pool_, HostListTable(), query, ReadHost);
}

Status SqliteHostRepository::Export(const ListQuery& query, const RowCallback<Host>& row) {
  return ExportFromPool<Host>(pool_, HostListTable(), query, ReadHost, row);
}

Status SqliteHostWriter::WriteLabels(int64_t id, const std::vector<std::string>& labels) {
  {
    ASSIGN_OR_RETURN(ScopedStatement del,
                     conn_.Statement("DELETE FROM host_labels WHERE host_id = ?1"));
    del->Bind(1, id);
    RETURN_IF_ERROR(del->Run());
  }
  for (const std::string& label : labels) {
    ASSIGN_OR_RETURN(ScopedStatement ins,
                     conn_.Statement("INSERT INTO host_labels (host_id, label) VALUES (?1, ?2)"));
    ins->Bind(1, id).Bind(2, label);
    RETURN_IF_ERROR(ins->Run());
  }
  ASSIGN_OR_RETURN(ScopedStatement upd,
                   conn_.Statement("UPDATE hosts SET labels = ?2 WHERE id = ?1"));
  upd->Bind(1, id).Bind(2, LabelsToJson(labels));
  return upd->Run();
}

Result<EnrolOutcome> SqliteHostWriter::Enrol(const HostEnrolment& e) {
  if (e.machine_id.empty()) return InvalidArgument("identity.machine_id: must not be empty");
  if (e.hostname.empty()) return InvalidArgument("identity.hostname: must not be empty");
  if (e.node_key_sha256.empty()) return InvalidArgument("node key hash: must not be empty");

  // The secret: counted only when usable now (all in this transaction, so a
  // revocation committed before cannot be raced).
  {
    ASSIGN_OR_RETURN(ScopedStatement use,
                     conn_.Statement("UPDATE enrol_secrets SET uses = uses + 1, last_used_at = ?2 "
                                     "WHERE id = ?1 AND (revoked_at IS NULL OR revoked_at > ?2) "
                                     "AND (expires_at IS NULL OR expires_at > ?2)"));
    use->Bind(1, e.enrol_secret_id).Bind(2, e.now);
    RETURN_IF_ERROR(use->Run());
    if (conn_.db().Changes() == 0)
      return Status(StatusCode::kPermissionDenied, "enrol secret: unknown, revoked or expired");
  }
  ASSIGN_OR_RETURN(std::optional<EnrolSecret> secret, LoadEnrolSecret(conn_, e.enrol_secret_id));
  if (!secret) return Internal("enrol secret " + std::to_string(e.enrol_secret_id) + " vanished");

  EnrolOutcome outcome;
  std::optional<int64_t> existing;
  std::optional<int64_t> existing_revoked;
  {
    ASSIGN_OR_RETURN(ScopedStatement find,
                     conn_.Statement("SELECT id, revoked_at FROM hosts WHERE machine_id = ?1 AND "
                                     "instance_id = ?2 AND hostname = ?3"));
    find->Bind(1, e.machine_id).Bind(2, e.instance_id).Bind(3, e.hostname);
    ASSIGN_OR_RETURN(bool row, find->Step());
    if (row) {
      existing = find->Int(0);
      existing_revoked = OptionalInt(*find, 1);
    }
  }
  int64_t host_id = 0;
  std::vector<std::string> labels = secret->labels;
  if (existing) {
    if (existing_revoked)
      return Status(StatusCode::kPermissionDenied,
                    "host " + std::to_string(*existing) + " (" + e.hostname +
                        ") was revoked; delete it before it enrols again");
    host_id = *existing;
    ASSIGN_OR_RETURN(ScopedStatement upd,
                     conn_.Statement("UPDATE hosts SET os_name = ?2, os_version = ?3, os_id = ?4, "
                                     "os_codename = ?5, kernel = ?6, arch = ?7, agent_type = ?8, "
                                     "agent_version = ?9, last_seen_at = ?10 WHERE id = ?1"));
    upd->Bind(1, host_id)
        .Bind(2, e.os.name)
        .Bind(3, e.os.version)
        .Bind(4, e.os.id)
        .Bind(5, e.os.codename)
        .Bind(6, e.kernel)
        .Bind(7, e.arch)
        .Bind(8, e.agent_type)
        .Bind(9, e.agent_version)
        .Bind(10, e.now);
    RETURN_IF_ERROR(upd->Run());
    ASSIGN_OR_RETURN(std::optional<Host> current, LoadHost(conn_, host_id));
    if (current) labels.insert(labels.end(), current->labels.begin(), current->labels.end());
  } else {
    outcome.created = true;
    ASSIGN_OR_RETURN(
        ScopedStatement ins,
        conn_.Statement("INSERT INTO hosts (machine_id, instance_id, hostname, os_name, "
                        "os_version, os_id, os_codename, kernel, arch, agent_type, "
                        "agent_version, enrolled_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, "
                        "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)"));
    ins->Bind(1, e.machine_id)
        .Bind(2, e.instance_id)
        .Bind(3, e.hostname)
        .Bind(4, e.os.name)
        .Bind(5, e.os.version)
        .Bind(6, e.os.id)
        .Bind(7, e.os.codename)
        .Bind(8, e.kernel)
        .Bind(9, e.arch)
        .Bind(10, e.agent_type)
        .Bind(11, e.agent_version)
        .Bind(12, e.now);
    RETURN_IF_ERROR(ins->Run());
    host_id = InsertedId(conn_);
    // A clone: same machine-id, different instance or hostname. Both (all)
    // are flagged; they stay separate hosts.
    ASSIGN_OR_RETURN(ScopedStatement clones,
                     conn_.Statement("UPDATE hosts SET duplicate_identity = 1 WHERE machine_id = "
                                     "?1 AND EXISTS (SELECT 1 FROM hosts o WHERE o.machine_id = ?1 "
                                     "AND o.id <> ?2)"));
    clones->Bind(1, e.machine_id).Bind(2, host_id);
    RETURN_IF_ERROR(clones->Run());
  }
  ASSIGN_OR_RETURN(labels, NormalizeLabels(labels));
  RETURN_IF_ERROR(WriteLabels(host_id, labels));

  {
    ASSIGN_OR_RETURN(ScopedStatement revoke,
                     conn_.Statement("UPDATE node_keys SET revoked_at = ?2 WHERE host_id = ?1 AND "
                                     "revoked_at IS NULL"));
    revoke->Bind(1, host_id).Bind(2, e.now);
    RETURN_IF_ERROR(revoke->Run());
  }
  {
    ASSIGN_OR_RETURN(ScopedStatement key,
                     conn_.Statement("INSERT INTO node_keys (host_id, sha256, created_at) VALUES "
                                     "(?1, ?2, ?3)"));
    key->Bind(1, host_id).Bind(2, e.node_key_sha256).Bind(3, e.now);
    RETURN_IF_ERROR(key->Run());
  }
  ASSIGN_OR_RETURN(std::optional<Host> host, LoadHost(conn_, host_id));
  if (!host) return Internal("host " + std::to_string(host_id) + " vanished during enrolment");
  outcome.host = std::move(*host);
  return outcome;
}

Result<bool> SqliteHostWriter::SetLabels(int64_t id, const std::vector<std::string>& labels) {
  ASSIGN_OR_RETURN(std::vector<std::string> normalized, NormalizeLabels(labels));
  ASSIGN_OR_RETURN(std::optional<Host> host, LoadHost(conn_, id));
  if (!host) return false;
  RETURN_IF_ERROR(WriteLabels(id, normalized));
  return true;
}

Result<bool> SqliteHostWriter::Revoke(int64_t id, EpochMs at) {
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("UPDATE hosts SET revoked_at = ?2 WHERE id = ?1 AND "
                                     "revoked_at IS NULL"));
    st->Bind(1, id).Bind(2, at);
    RETURN_IF_ERROR(st->Run());
  }
  ASSIGN_OR_RETURN(std::optional<Host> host, LoadHost(conn_, id));
  if (!host) return false;
  ASSIGN_OR_RETURN(ScopedStatement keys,
                   conn_.Statement("UPDATE node_keys SET revoked_at = ?2 WHERE host_id = ?1 AND "
                                   "revoked_at IS NULL"));
  keys->Bind(1, id).Bind(2, at);
  RETURN_IF_ERROR(keys->Run());
  return true;
}

Result<bool> SqliteHostWriter::Delete(int64_t id) {
  constexpr std::string_view kDeleteProblemHistory =
      "DELETE FROM fleet_problem_history WHERE problem_id IN (SELECT id FROM fleet_problems "
      "WHERE host_id = ?1)";
  // The fleet-wide vulnerability views lose this host's findings.
  constexpr std::string_view kDirtyCves =
      "INSERT INTO vulnerability_summary_dirty (kind, summary_key) SELECT DISTINCT 'cve', cve "
      "FROM host_vulnerabilities WHERE host_id = ?1 ON CONFLICT (kind, summary_key) DO NOTHING";
  constexpr std::string_view kDirtyPackages =
      "INSERT INTO vulnerability_summary_dirty (kind, summary_key) SELECT DISTINCT 'package', "
      "package FROM host_vulnerabilities WHERE host_id = ?1 ON CONFLICT (kind, summary_key) DO "
      "NOTHING";
  constexpr std::string_view kDirtyFixes =
      "INSERT INTO vulnerability_summary_dirty (kind, summary_key) SELECT DISTINCT 'fix', "
      "upgrade_package || ' ' || release_name FROM host_vulnerabilities WHERE host_id = ?1 ON "
      "CONFLICT (kind, summary_key) DO NOTHING";
  for (std::string_view sql : std::initializer_list<std::string_view>{
           "DELETE FROM host_labels WHERE host_id = ?1", "DELETE FROM node_keys WHERE host_id = ?1",
           "DELETE FROM record_ledger WHERE host_id = ?1", kDeleteProblemHistory,
           "DELETE FROM fleet_problems WHERE host_id = ?1",
           "DELETE FROM host_inventory WHERE host_id = ?1",
           "DELETE FROM host_packages WHERE host_id = ?1",
           "DELETE FROM host_ports WHERE host_id = ?1",
           "DELETE FROM host_detectors WHERE host_id = ?1", kDirtyCves, kDirtyPackages, kDirtyFixes,
           "DELETE FROM host_vulnerabilities WHERE host_id = ?1",
           "DELETE FROM host_vulnerability_scans WHERE host_id = ?1",
           "DELETE FROM detector_runs WHERE host_id = ?1",
           "DELETE FROM scan_targets WHERE host_id = ?1",
           "DELETE FROM agent_commands WHERE host_id = ?1"}) {
    ASSIGN_OR_RETURN(ScopedStatement st, conn_.Statement(sql));
    st->Bind(1, id);
    RETURN_IF_ERROR(st->Run());
  }
  ASSIGN_OR_RETURN(ScopedStatement st, conn_.Statement("DELETE FROM hosts WHERE id = ?1"));
  st->Bind(1, id);
  RETURN_IF_ERROR(st->Run());
  return conn_.db().Changes() > 0;
}

// ---- enrol secrets

Result<std::optional<EnrolSecret>> SqliteEnrolSecretRepository::Get(int64_t id) {
  ReadPool::Lease lease = pool_.Acquire();
  return LoadEnrolSecret(lease.conn(), id);
}

Result<std::optional<EnrolSecret>> SqliteEnrolSecretRepository::FindByHash(
    std::string_view sha256) {
  ReadPool::Lease lease = pool_.Acquire();
  return QueryOne<EnrolSecret>(
      lease.conn(),
      "SELECT " + std::string(kSecretColumns) + " FROM enrol_secrets WHERE sha256 = ?1",
      [&](SqliteStatement& st) { st.Bind(1, sha256); }, ReadSecret);
}

Result<ListPage<EnrolSecret>> SqliteEnrolSecretRepository::List(const ListQuery& query) {
  return ListFromPool<EnrolSecret>(pool_, EnrolSecretListTable(), query, ReadSecret);
}

Status SqliteEnrolSecretRepository::Export(const ListQuery& query,
                                           const RowCallback<EnrolSecret>& row) {
  return ExportFromPool<EnrolSecret>(pool_, EnrolSecretListTable(), query, ReadSecret, row);
}

Result<EnrolSecret> SqliteEnrolSecretWriter::Create(const NewEnrolSecret& s) {
  if (s.name.empty()) return InvalidArgument("name: must not be empty");
  if (s.sha256.empty()) return InvalidArgument("secret hash: must not be empty");
  ASSIGN_OR_RETURN(std::vector<std::string> labels, NormalizeLabels(s.labels));
  {
    ASSIGN_OR_RETURN(ScopedStatement taken,
                     conn_.Statement("SELECT 1 FROM enrol_secrets WHERE sha256 = ?1"));
    taken->Bind(1, s.sha256);
    ASSIGN_OR_RETURN(bool row, taken->Step());
    if (row) return InvalidArgument("secret hash: already in use");
  }
  ASSIGN_OR_RETURN(ScopedStatement ins,
                   conn_.Statement("INSERT INTO enrol_secrets (name, labels, sha256, created_by, "
                                   "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                                   "RETURNING id"));
  ins->Bind(1, s.name).Bind(2, LabelsToJson(labels)).Bind(3, s.sha256).Bind(4, s.created_by);
  ins->Bind(5, s.created_at);
  BindOptional(*ins, 6, s.expires_at);
  ASSIGN_OR_RETURN(bool row, ins->Step());
  if (!row) return Internal("enrol_secrets: INSERT returned no id");
  int64_t id = ins->Int(0);
  ASSIGN_OR_RETURN(bool more, ins->Step());
  (void)more;
  ASSIGN_OR_RETURN(std::optional<EnrolSecret> created, LoadEnrolSecret(conn_, id));
  if (!created) return Internal("enrol secret " + std::to_string(id) + " vanished");
  return *created;
}

Result<std::optional<EnrolSecret>> SqliteEnrolSecretWriter::Revoke(int64_t id, EpochMs at) {
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn_.Statement("UPDATE enrol_secrets SET revoked_at = ?2 WHERE id = ?1 AND "
                                   "(revoked_at IS NULL OR revoked_at > ?2)"));
  st->Bind(1, id).Bind(2, at);
  RETURN_IF_ERROR(st->Run());
  return LoadEnrolSecret(conn_, id);
}

// ---- node keys

Result<std::optional<NodeKey>> SqliteNodeKeyRepository::FindByHash(std::string_view sha256) {
  ReadPool::Lease lease = pool_.Acquire();
  return QueryOne<NodeKey>(
      lease.conn(), "SELECT " + std::string(kNodeKeyColumns) + " FROM node_keys WHERE sha256 = ?1",
      [&](SqliteStatement& st) { st.Bind(1, sha256); }, ReadNodeKey);
}

Result<std::vector<NodeKey>> SqliteNodeKeyRepository::ListForHost(int64_t host_id) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement("SELECT " + std::string(kNodeKeyColumns) +
                                          " FROM node_keys WHERE host_id = ?1 ORDER BY id DESC"));
  st->Bind(1, host_id);
  std::vector<NodeKey> keys;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    keys.push_back(ReadNodeKey(*st));
  }
  return keys;
}

}  // namespace warden::store
