// Vulnerability findings and the fleet-wide views over them (by CVE, by
// package, fix-first): the findings list, replacing a host's findings with
// the summary rows they change marked stale, recomputing stale summary
// rows, views narrowed to some hosts aggregated at read time, and the
// matching bookkeeping (host matches, feeds).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "store/sqlite/keyset_list_sql.h"
#include "store/sqlite/sqlite_repositories.h"
#include "version/version_compare.h"

namespace warden::store {
namespace {

using nlohmann::json;

std::string DumpJson(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<std::string> JsonStrings(const std::string& text) {
  std::vector<std::string> out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& v : j)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

void ParseLinks(const std::string& text, std::optional<std::string>* nvd,
                std::vector<std::string>* vendor) {
  json links = json::parse(text, nullptr, false);
  if (!links.is_object()) return;
  if (links.contains("nvd") && links["nvd"].is_string() && !nvd->has_value())
    *nvd = links["nvd"].get<std::string>();
  if (links.contains("vendor") && links["vendor"].is_array())
    for (const auto& v : links["vendor"])
      if (v.is_string() && std::find(vendor->begin(), vendor->end(), v) == vendor->end())
        vendor->push_back(v.get<std::string>());
}

std::string LinksJson(const std::optional<std::string>& nvd,
                      const std::vector<std::string>& vendor) {
  return DumpJson({{"nvd", nvd ? json(*nvd) : json(nullptr)}, {"vendor", vendor}});
}

std::optional<double> ScoreOfRank(int64_t rank) {
  if (rank < 0) return std::nullopt;
  return static_cast<double>(rank) / 10.0;
}

int64_t RankOfScore(const std::optional<double>& score) {
  return score ? static_cast<int64_t>(std::lround(*score * 10)) : -1;
}

constexpr std::string_view kFindingColumns =
    "id, host_id, hostname, cve, package, source_package, arch, installed_version, "
    "fixed_version, vendor_status, severity_rank, cvss_score, links_json, upgrade_command, "
    "first_seen_at, last_seen_at, release_name, package_manager, title, cvss_vector, feeds_json";

VulnerabilityFindingRow ReadFinding(SqliteStatement& st) {
  VulnerabilityFindingRow f;
  f.id = st.Int(0);
  f.host_id = st.Int(1);
  f.hostname = st.Text(2);
  f.cve = st.Text(3);
  f.package = st.Text(4);
  f.source_package = OptionalText(st, 5);
  f.arch = OptionalText(st, 6);
  f.installed_version = st.Text(7);
  f.fixed_version = OptionalText(st, 8);
  f.vendor_status = st.Text(9);
  f.severity = static_cast<int>(st.Int(10));
  if (!st.IsNull(11)) f.cvss_score = st.Double(11);
  ParseLinks(st.Text(12), &f.nvd_link, &f.vendor_links);
  f.upgrade_command = OptionalText(st, 13);
  f.first_seen_at = st.Int(14);
  f.last_seen_at = st.Int(15);
  f.release = st.Text(16);
  f.package_manager = st.Text(17);
  f.title = OptionalText(st, 18);
  f.cvss_vector = OptionalText(st, 19);
  f.feeds = JsonStrings(st.Text(20));
  return f;
}

// ---- the summary views' rows

constexpr std::string_view kSummaryColumns =
    "id, cve, title, severity_rank, cvss_rank, cvss_vector, host_count, package_count, "
    "fix_available, links_json";

VulnerabilitySummary ReadSummary(SqliteStatement& st) {
  VulnerabilitySummary s;
  s.id = st.Int(0);
  s.cve = st.Text(1);
  s.title = OptionalText(st, 2);
  s.severity = static_cast<int>(st.Int(3));
  s.cvss_score = ScoreOfRank(st.Int(4));
  s.cvss_vector = OptionalText(st, 5);
  s.host_count = st.Int(6);
  s.package_count = st.Int(7);
  s.fix_available = st.Int(8) != 0;
  ParseLinks(st.Text(9), &s.nvd_link, &s.vendor_links);
  return s;
}

constexpr std::string_view kPackageColumns =
    "id, package, source_package, installed_versions_json, cve_count, host_count, "
    "max_severity, max_cvss_rank, fix_available";

VulnerablePackageSummary ReadPackageSummary(SqliteStatement& st) {
  VulnerablePackageSummary p;
  p.id = st.Int(0);
  p.package = st.Text(1);
  p.source_package = OptionalText(st, 2);
  p.installed_versions = JsonStrings(st.Text(3));
  p.cve_count = st.Int(4);
  p.host_count = st.Int(5);
  p.max_severity = static_cast<int>(st.Int(6));
  p.max_cvss = ScoreOfRank(st.Int(7));
  p.fix_available = st.Int(8) != 0;
  return p;
}

constexpr std::string_view kFixColumns =
    "id, package, release_name, fixed_version, upgrade_command, cves_cleared, cves_json, "
    "host_count, impact, max_severity, max_cvss_rank";

FixFirstRow ReadFixRow(SqliteStatement& st) {
  FixFirstRow f;
  f.id = st.Int(0);
  f.package = st.Text(1);
  f.release = st.Text(2);
  f.fixed_version = st.Text(3);
  f.upgrade_command = st.Text(4);
  f.cves_cleared = st.Int(5);
  f.cves = JsonStrings(st.Text(6));
  f.host_count = st.Int(7);
  f.impact = st.Int(8);
  f.max_severity = static_cast<int>(st.Int(9));
  f.max_cvss = ScoreOfRank(st.Int(10));
  return f;
}

const ListTable& SummaryListTable() {
  static const ListTable table{
      &VulnerabilitySummaryListSchema(),
      "fleet_vulnerabilities",
      kSummaryColumns,
      10,
      "id",
      {
          {"id", "id"},
          {"cve", "cve"},
          {"severity", "severity_rank"},
          {"cvss_score", "cvss_rank"},
          {"host_count", "host_count"},
          {"fix_available", "fix_available"},
      },
  };
  return table;
}

const ListTable& PackageListTable() {
  static const ListTable table{
      &VulnerablePackageListSchema(),
      "fleet_vulnerable_packages",
      kPackageColumns,
      9,
      "id",
      {
          {"id", "id"},
          {"package", "package"},
          {"cve_count", "cve_count"},
          {"host_count", "host_count"},
          {"max_severity", "max_severity"},
          {"fix_available", "fix_available"},
      },
  };
  return table;
}

const ListTable& FixListTable() {
  static const ListTable table{
      &FixFirstListSchema(),
      "fleet_fix_first",
      kFixColumns,
      11,
      "id",
      {
          {"id", "id"},
          {"package", "package"},
          {"impact", "impact"},
          {"cves_cleared", "cves_cleared"},
          {"host_count", "host_count"},
          {"max_severity", "max_severity"},
      },
  };
  return table;
}

// ---- views narrowed to some hosts

// The filters that choose which findings a view counts: each holds when
// the finding matches any of its values (a filter with several values is
// an any-of filter of the same field).
struct Scope {
  std::vector<int64_t> host_ids;
  std::vector<std::string> labels;
  std::vector<std::string> packages;
  bool empty() const { return host_ids.empty() && labels.empty() && packages.empty(); }
};

// Whether `f` (a plain filter) is one of the scope's; adds its value.
bool AddToScope(const FieldFilter& f, Scope* scope) {
  if (f.field == "host_id")
    scope->host_ids.push_back(std::get<int64_t>(f.value));
  else if (f.field == "label")
    scope->labels.push_back(std::get<std::string>(f.value));
  else if (f.field == "package")
    scope->packages.push_back(std::get<std::string>(f.value));
  else
    return false;
  return true;
}

Scope TakeScope(ResolvedListQuery& query) {
  Scope scope;
  std::vector<FieldFilter> rest;
  for (FieldFilter& f : query.filters) {
    if (f.op == FilterOp::kAny && !f.any.empty() &&
        std::all_of(f.any.begin(), f.any.end(),
                    [&](const FieldFilter& a) { return a.field == f.any.front().field; })) {
      Scope one;
      bool taken = true;
      for (const FieldFilter& a : f.any) taken = taken && AddToScope(a, &one);
      if (taken) {
        for (int64_t id : one.host_ids) scope.host_ids.push_back(id);
        for (std::string& l : one.labels) scope.labels.push_back(std::move(l));
        for (std::string& p : one.packages) scope.packages.push_back(std::move(p));
        continue;
      }
    } else if (f.op == FilterOp::kEq && AddToScope(f, &scope)) {
      continue;
    }
    rest.push_back(std::move(f));
  }
  query.filters = std::move(rest);
  return scope;
}

// The scope as conditions on `v` (" AND ..."), numbered from ?first.
struct ScopeSql {
  std::string conditions;
  std::vector<Value> params;
};

ScopeSql BuildScope(const Scope& scope, int first) {
  ScopeSql out;
  auto param = [&](Value v) {
    out.params.push_back(std::move(v));
    return "?" + std::to_string(first + static_cast<int>(out.params.size()) - 1);
  };
  auto list = [&](const auto& values) {
    std::string in;
    for (const auto& v : values) in += (in.empty() ? "" : ", ") + param(Value(v));
    return "(" + in + ")";
  };
  if (!scope.host_ids.empty()) out.conditions += " AND v.host_id IN " + list(scope.host_ids);
  if (!scope.labels.empty())
    out.conditions += " AND v.host_id IN (SELECT host_id FROM host_labels WHERE label IN " +
                      list(scope.labels) + ")";
  if (!scope.packages.empty()) {
    std::string in = list(scope.packages);
    out.conditions += " AND (v.package IN " + in + " OR v.source_package IN " + in + ")";
  }
  return out;
}

void BindAll(SqliteStatement& st, int first, const std::vector<Value>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    const int index = first + static_cast<int>(i);
    if (const int64_t* n = std::get_if<int64_t>(&values[i]))
      st.Bind(index, *n);
    else if (const std::string* s = std::get_if<std::string>(&values[i]))
      st.Bind(index, std::string_view(*s));
  }
}

// A list table over a derived table (an aggregate of the scope's findings)
// with the columns of a summary table. Neither copied nor moved: `table`
// points into `sql_`.
class DerivedListTable {
 public:
  DerivedListTable(const ListTable& like, std::string derived, std::vector<Value> params)
      : sql_("(" + std::move(derived) + ") AS agg"), table(like) {
    table.table = sql_;
    table.table_params = std::move(params);
  }
  DerivedListTable(const DerivedListTable&) = delete;
  DerivedListTable& operator=(const DerivedListTable&) = delete;

 private:
  std::string sql_;

 public:
  ListTable table;
};

// The counts come from the scope's index entries (host_vulnerabilities_
// host_summary covers them); the texts, which do not depend on the hosts,
// from the fleet's summary row.
std::string ScopedCveSql(const ScopeSql& scope) {
  return "SELECT a.id AS id, a.cve AS cve, f.title AS title, a.severity_rank AS severity_rank, "
         "a.cvss_rank AS cvss_rank, f.cvss_vector AS cvss_vector, a.host_count AS host_count, "
         "a.package_count AS package_count, a.fix_available AS fix_available, "
         "COALESCE(f.links_json, '{\"nvd\":null,\"vendor\":[]}') AS links_json FROM (SELECT "
         "MIN(v.id) AS id, v.cve AS cve, MAX(v.severity_rank) AS severity_rank, MAX(v.cvss_rank) "
         "AS cvss_rank, COUNT(DISTINCT v.host_id) AS host_count, COUNT(DISTINCT v.package) AS "
         "package_count, MAX(v.fix_available) AS fix_available FROM host_vulnerabilities v WHERE "
         "1 = 1" +
         scope.conditions +
         " GROUP BY v.cve) AS a LEFT JOIN fleet_vulnerabilities f ON f.cve = a.cve";
}

std::string ScopedPackageSql(const ScopeSql& scope) {
  return "SELECT a.id AS id, a.package AS package, f.source_package AS source_package, '[]' AS "
         "installed_versions_json, a.cve_count AS cve_count, a.host_count AS host_count, "
         "a.max_severity AS max_severity, a.max_cvss_rank AS max_cvss_rank, a.fix_available AS "
         "fix_available FROM (SELECT MIN(v.id) AS id, v.package AS package, COUNT(DISTINCT "
         "v.cve) AS cve_count, COUNT(DISTINCT v.host_id) AS host_count, MAX(v.severity_rank) AS "
         "max_severity, MAX(v.cvss_rank) AS max_cvss_rank, MAX(v.fix_available) AS fix_available "
         "FROM host_vulnerabilities v WHERE 1 = 1" +
         scope.conditions +
         " GROUP BY v.package) AS a LEFT JOIN fleet_vulnerable_packages f ON f.package = "
         "a.package";
}

// Impact counts (host, CVE) pairs: the inner grouping makes each pair one row.
std::string ScopedFixSql(const ScopeSql& scope) {
  return "SELECT MIN(p.id) AS id, p.upgrade_package AS package, p.release_name AS release_name, "
         "'' AS fixed_version, '' AS upgrade_command, COUNT(DISTINCT p.cve) AS cves_cleared, "
         "'[]' AS cves_json, COUNT(DISTINCT p.host_id) AS host_count, COUNT(*) AS impact, "
         "MAX(p.severity_rank) AS max_severity, MAX(p.cvss_rank) AS max_cvss_rank FROM (SELECT "
         "MIN(v.id) AS id, v.upgrade_package AS upgrade_package, v.release_name AS release_name, "
         "v.host_id AS host_id, v.cve AS cve, MAX(v.severity_rank) AS severity_rank, "
         "MAX(v.cvss_rank) AS cvss_rank FROM host_vulnerabilities v WHERE v.fix_available = 1" +
         scope.conditions +
         " GROUP BY v.upgrade_package, v.release_name, v.host_id, v.cve) AS p GROUP BY "
         "p.upgrade_package, p.release_name";
}

// ---- computed per key (summary refresh, and rows of narrowed views)

int CompareVersionsOf(std::string_view manager, std::string_view a, std::string_view b) {
  return manager == "rpm" ? CompareRpmVersions(a, b) : CompareDebianVersions(a, b);
}

// One command for several binaries of one upgrade: the findings' commands
// end with their package name; when they share what comes before it, the
// names are listed after it once, else the distinct commands are joined.
std::string CombineUpgradeCommands(const std::map<std::string, std::string>& by_package) {
  std::optional<std::string> prefix;
  bool shared = true;
  std::set<std::string> distinct;
  for (const auto& [package, command] : by_package) {
    if (command.empty()) continue;
    distinct.insert(command);
    const std::string suffix = " " + package;
    std::string head =
        command.size() > suffix.size() &&
                command.compare(command.size() - suffix.size(), suffix.size(), suffix) == 0
            ? command.substr(0, command.size() - suffix.size())
            : std::string();
    if (head.empty() || (prefix && *prefix != head)) shared = false;
    if (!prefix) prefix = head;
  }
  if (distinct.empty()) return "";
  if (shared && prefix) {
    std::string out = *prefix;
    for (const auto& [package, command] : by_package)
      if (!command.empty()) out += " " + package;
    return out;
  }
  std::string out;
  for (const std::string& c : distinct) out += (out.empty() ? "" : "; ") + c;
  return out;
}

// The upgrade of `package` in `release` over the fixable findings in scope
// (`scope` numbered from ?3); nullopt when there are none.
Result<std::optional<FixFirstRow>> ComputeFixRow(SqliteConnection& conn, std::string_view package,
                                                 std::string_view release, const Scope& scope) {
  ScopeSql s = BuildScope(scope, 3);
  std::set<std::string> cves;
  std::set<int64_t> hosts;
  std::set<std::pair<int64_t, std::string>> pairs;
  std::set<std::string> versions;
  std::map<std::string, std::string> commands;  // binary -> its findings' command
  std::string manager = "deb";
  FixFirstRow row;
  int64_t max_cvss_rank = -1;
  {
    // Every column is in host_vulnerabilities_upgrade: no table rows read.
    ASSIGN_OR_RETURN(
        ScopedStatement st,
        conn.Statement("SELECT v.cve, v.host_id, v.package, v.fixed_version, v.severity_rank, "
                       "v.cvss_rank, v.package_manager FROM host_vulnerabilities v WHERE "
                       "v.upgrade_package = ?1 AND v.release_name = ?2 AND v.fix_available = 1" +
                       s.conditions));
    st->Bind(1, package).Bind(2, release);
    BindAll(*st, 3, s.params);
    for (;;) {
      ASSIGN_OR_RETURN(bool more, st->Step());
      if (!more) break;
      std::string cve = st->Text(0);
      const int64_t host = st->Int(1);
      cves.insert(cve);
      hosts.insert(host);
      pairs.emplace(host, std::move(cve));
      commands.emplace(st->Text(2), std::string());
      versions.insert(st->Text(3));
      row.max_severity = std::max(row.max_severity, static_cast<int>(st->Int(4)));
      max_cvss_rank = std::max(max_cvss_rank, st->Int(5));
      manager = st->Text(6);
    }
  }
  if (cves.empty()) return std::optional<FixFirstRow>();
  for (auto& [binary, command] : commands) {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn.Statement("SELECT upgrade_command FROM host_vulnerabilities WHERE "
                                    "upgrade_package = ?1 AND release_name = ?2 AND "
                                    "fix_available = 1 AND package = ?3 AND upgrade_command IS NOT "
                                    "NULL LIMIT 1"));
    st->Bind(1, package).Bind(2, release).Bind(3, binary);
    ASSIGN_OR_RETURN(bool found, st->Step());
    if (found) command = st->Text(0);
  }
  row.package = std::string(package);
  row.release = std::string(release);
  for (const std::string& v : versions)
    if (row.fixed_version.empty() || CompareVersionsOf(manager, v, row.fixed_version) > 0)
      row.fixed_version = v;
  row.upgrade_command = CombineUpgradeCommands(commands);
  row.cves.assign(cves.begin(), cves.end());
  row.cves_cleared = static_cast<int64_t>(cves.size());
  row.host_count = static_cast<int64_t>(hosts.size());
  row.impact = static_cast<int64_t>(pairs.size());
  row.max_cvss = ScoreOfRank(max_cvss_rank);
  return std::optional<FixFirstRow>(std::move(row));
}

constexpr int64_t kMaxInstalledVersions = 100;

Result<std::vector<std::string>> InstalledVersions(SqliteConnection& conn, std::string_view package,
                                                   const Scope& scope) {
  ScopeSql s = BuildScope(scope, 2);
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn.Statement("SELECT DISTINCT v.installed_version FROM host_vulnerabilities v "
                                  "WHERE v.package = ?1" +
                                  s.conditions + " ORDER BY v.installed_version LIMIT " +
                                  std::to_string(kMaxInstalledVersions)));
  st->Bind(1, package);
  BindAll(*st, 2, s.params);
  std::vector<std::string> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    out.push_back(st->Text(0));
  }
  return out;
}

// Distinct links and feeds of a CVE's findings.
Status ReadCveTexts(SqliteConnection& conn, std::string_view cve, std::optional<std::string>* title,
                    std::optional<std::string>* vector, std::optional<std::string>* nvd,
                    std::vector<std::string>* vendor, std::vector<std::string>* feeds) {
  // The texts are the feeds': one finding per release says them (the ids
  // come from host_vulnerabilities_cve_summary alone).
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn.Statement("SELECT title, cvss_vector, links_json, feeds_json FROM "
                                  "host_vulnerabilities WHERE id IN (SELECT MIN(id) FROM "
                                  "host_vulnerabilities WHERE cve = ?1 GROUP BY release_name) "
                                  "ORDER BY id"));
  st->Bind(1, cve);
  for (;;) {
    ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    if (!title->has_value()) *title = OptionalText(*st, 0);
    if (!vector->has_value()) *vector = OptionalText(*st, 1);
    ParseLinks(st->Text(2), nvd, vendor);
    if (feeds != nullptr)
      for (std::string& f : JsonStrings(st->Text(3)))
        if (std::find(feeds->begin(), feeds->end(), f) == feeds->end())
          feeds->push_back(std::move(f));
  }
  return Status::Ok();
}

// The counts of one CVE over every host; nullopt when no finding has it.
Result<std::optional<VulnerabilitySummary>> ComputeCveSummary(SqliteConnection& conn,
                                                              std::string_view cve,
                                                              std::vector<std::string>* feeds) {
  VulnerabilitySummary s;
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn.Statement("SELECT COUNT(DISTINCT host_id), COUNT(DISTINCT package), "
                                    "MAX(severity_rank), MAX(cvss_rank), MAX(fix_available) FROM "
                                    "host_vulnerabilities WHERE cve = ?1"));
    st->Bind(1, cve);
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row || st->Int(0) == 0) return std::optional<VulnerabilitySummary>();
    s.cve = std::string(cve);
    s.host_count = st->Int(0);
    s.package_count = st->Int(1);
    s.severity = static_cast<int>(st->Int(2));
    s.cvss_score = ScoreOfRank(st->Int(3));
    s.fix_available = st->Int(4) != 0;
  }
  RETURN_IF_ERROR(
      ReadCveTexts(conn, cve, &s.title, &s.cvss_vector, &s.nvd_link, &s.vendor_links, feeds));
  return std::optional<VulnerabilitySummary>(std::move(s));
}

Result<std::optional<VulnerablePackageSummary>> ComputePackageSummary(SqliteConnection& conn,
                                                                      std::string_view package) {
  VulnerablePackageSummary p;
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn.Statement("SELECT COUNT(DISTINCT cve), COUNT(DISTINCT host_id), "
                                    "MAX(severity_rank), MAX(cvss_rank), MAX(fix_available), "
                                    "MAX(source_package) FROM host_vulnerabilities WHERE package "
                                    "= ?1"));
    st->Bind(1, package);
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row || st->Int(0) == 0) return std::optional<VulnerablePackageSummary>();
    p.package = std::string(package);
    p.cve_count = st->Int(0);
    p.host_count = st->Int(1);
    p.max_severity = static_cast<int>(st->Int(2));
    p.max_cvss = ScoreOfRank(st->Int(3));
    p.fix_available = st->Int(4) != 0;
    p.source_package = OptionalText(*st, 5);
  }
  ASSIGN_OR_RETURN(p.installed_versions, InstalledVersions(conn, package, Scope{}));
  return std::optional<VulnerablePackageSummary>(std::move(p));
}

// ---- dirty keys

struct SummaryKey {
  std::string kind;  // cve, package, fix
  std::string key;
  bool operator<(const SummaryKey& o) const { return kind != o.kind ? kind < o.kind : key < o.key; }
};

std::string FixKey(std::string_view upgrade_package, std::string_view release) {
  return std::string(upgrade_package) + " " + std::string(release);
}

Status MarkStale(SqliteConnection& conn, const std::set<SummaryKey>& keys) {
  if (keys.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn.Statement("INSERT INTO vulnerability_summary_dirty (kind, summary_key) "
                                  "VALUES (?1, ?2) ON CONFLICT (kind, summary_key) DO NOTHING"));
  for (const SummaryKey& k : keys) {
    st->Bind(1, k.kind).Bind(2, k.key);
    RETURN_IF_ERROR(st->Run());
    st->Reset();
  }
  return Status::Ok();
}

// What a stored finding holds besides its identity, as one comparable text.
std::string FindingContent(const std::vector<std::string>& fields) {
  std::string out;
  for (const std::string& f : fields) {
    out += std::to_string(f.size());
    out += ':';
    out += f;
  }
  return out;
}

std::string NullableField(const std::optional<std::string>& s) {
  return s ? "1" + *s : std::string("0");
}

std::string FindingKey(std::string_view cve, std::string_view package, std::string_view version) {
  std::string k(cve);
  k += '\x1f';
  k += package;
  k += '\x1f';
  k += version;
  return k;
}

// Bound values of one finding, in the order of kWriteColumns.
struct FindingValues {
  std::string links;
  std::string feeds;
  std::string upgrade_package;
  int64_t cvss_rank = -1;
  int64_t fix_available = 0;
  std::string content;
};

FindingValues ValuesOf(const VulnerabilityFindingRow& f, const std::string& hostname) {
  FindingValues v;
  v.links = LinksJson(f.nvd_link, f.vendor_links);
  v.feeds = DumpJson(json(f.feeds));
  v.upgrade_package = f.source_package.value_or(f.package);
  v.cvss_rank = RankOfScore(f.cvss_score);
  v.fix_available = f.fixed_version ? 1 : 0;
  v.content = FindingContent({hostname, NullableField(f.source_package), NullableField(f.arch),
                              NullableField(f.fixed_version), f.vendor_status,
                              std::to_string(f.severity), std::to_string(v.cvss_rank), v.links,
                              NullableField(f.upgrade_command), std::to_string(v.fix_available),
                              f.release, f.package_manager, v.upgrade_package,
                              NullableField(f.title), NullableField(f.cvss_vector), v.feeds});
  return v;
}

// The content columns, bound from ?3 (?1 and ?2 are per statement).
constexpr std::string_view kContentColumns =
    "hostname, source_package, arch, fixed_version, vendor_status, severity_rank, cvss_score, "
    "cvss_rank, links_json, upgrade_command, fix_available, release_name, package_manager, "
    "upgrade_package, title, cvss_vector, feeds_json";

void BindContent(SqliteStatement& st, int first, const VulnerabilityFindingRow& f,
                 const std::string& hostname, const FindingValues& v) {
  st.Bind(first, hostname);
  BindOptionalText(st, first + 1, f.source_package);
  BindOptionalText(st, first + 2, f.arch);
  BindOptionalText(st, first + 3, f.fixed_version);
  st.Bind(first + 4, f.vendor_status);
  st.Bind(first + 5, int64_t{f.severity});
  if (f.cvss_score)
    st.BindDouble(first + 6, *f.cvss_score);
  else
    st.BindNull(first + 6);
  st.Bind(first + 7, v.cvss_rank);
  st.Bind(first + 8, v.links);
  BindOptionalText(st, first + 9, f.upgrade_command);
  st.Bind(first + 10, v.fix_available);
  st.Bind(first + 11, f.release);
  st.Bind(first + 12, f.package_manager);
  st.Bind(first + 13, v.upgrade_package);
  BindOptionalText(st, first + 14, f.title);
  BindOptionalText(st, first + 15, f.cvss_vector);
  st.Bind(first + 16, v.feeds);
}

struct StoredFinding {
  int64_t id = 0;
  std::string cve;
  std::string package;
  std::string fix_key;
  std::string content;
};

}  // namespace

const ListTable& VulnerabilityFindingListTable() {
  static const ListTable table{
      &VulnerabilityFindingListSchema(),
      "host_vulnerabilities",
      kFindingColumns,
      21,
      "id",
      {
          {"id", "id"},
          {"hostname", "hostname"},
          {"cve", "cve"},
          {"package", "package"},
          {"severity", "severity_rank"},
          {"cvss_score", "cvss_rank"},
          {"first_seen_at", "first_seen_at"},
          {"host_id", "host_id"},
          {"fix_available", "fix_available"},
          {"label", "host_id IN (SELECT host_id FROM host_labels WHERE label = ?)",
           ListColumn::Kind::kMembership},
      },
  };
  return table;
}

const ListTable& VulnerabilitySummaryListTable() { return SummaryListTable(); }
const ListTable& VulnerablePackageListTable() { return PackageListTable(); }
const ListTable& FixFirstListTable() { return FixListTable(); }

// ---- read side

Result<ListPage<VulnerabilityFindingRow>> SqliteVulnerabilityFindingRepository::List(
    const ListQuery& query) {
  return ListFromPool<VulnerabilityFindingRow>(pool_, VulnerabilityFindingListTable(), query,
                                               ReadFinding);
}

Status SqliteVulnerabilityFindingRepository::Export(
    const ListQuery& query, const RowCallback<VulnerabilityFindingRow>& row) {
  return ExportFromPool<VulnerabilityFindingRow>(pool_, VulnerabilityFindingListTable(), query,
                                                 ReadFinding, row);
}

namespace {

// A page of a view: from its summary table, or aggregated over the scope.
// `finish` completes a row of a narrowed view (what the aggregate SQL
// cannot compute).
template <typename T>
Result<ListPage<T>> ViewPage(
    ReadPool& pool, const ListTable& summary, const ListQuery& query, const RowReader<T>& read,
    std::string (*scoped_sql)(const ScopeSql&),
    const std::function<Status(SqliteConnection&, const Scope&, T&)>& finish) {
  ASSIGN_OR_RETURN(ResolvedListQuery resolved, ResolveListQuery(*summary.schema, query));
  Scope scope = TakeScope(resolved);
  ReadPool::Lease lease = pool.Acquire();
  ASSIGN_OR_RETURN(ReadSnapshot snapshot, ReadSnapshot::Begin(lease.conn()));
  if (scope.empty()) return RunListPage(lease.conn(), summary, resolved, read, true);
  ScopeSql s = BuildScope(scope, 1);
  DerivedListTable derived(summary, scoped_sql(s), s.params);
  ASSIGN_OR_RETURN(ListPage<T> page,
                   RunListPage(lease.conn(), derived.table, resolved, read, true));
  if (finish)
    for (T& item : page.items) RETURN_IF_ERROR(finish(lease.conn(), scope, item));
  return page;
}

// A whole view: the summary table page by page; a narrowed view in one
// query (its rows are per CVE or package, not per finding).
template <typename T>
Status ViewExport(ReadPool& pool, const ListTable& summary, const ListQuery& query,
                  const RowReader<T>& read, std::string (*scoped_sql)(const ScopeSql&),
                  const std::function<Status(SqliteConnection&, const Scope&, T&)>& finish,
                  const RowCallback<T>& callback) {
  ASSIGN_OR_RETURN(ResolvedListQuery resolved, ResolveListQuery(*summary.schema, query));
  Scope scope = TakeScope(resolved);
  if (scope.empty()) return ExportFromPool<T>(pool, summary, query, read, callback);
  ListPage<T> all;
  {
    ReadPool::Lease lease = pool.Acquire();
    ASSIGN_OR_RETURN(ReadSnapshot snapshot, ReadSnapshot::Begin(lease.conn()));
    ScopeSql s = BuildScope(scope, 1);
    DerivedListTable derived(summary, scoped_sql(s), s.params);
    resolved.limit = std::numeric_limits<int32_t>::max();
    ASSIGN_OR_RETURN(all, RunListPage(lease.conn(), derived.table, resolved, read, false));
    if (finish)
      for (T& item : all.items) RETURN_IF_ERROR(finish(lease.conn(), scope, item));
  }
  for (const T& item : all.items) RETURN_IF_ERROR(callback(item));
  return Status::Ok();
}

Status FinishPackage(SqliteConnection& conn, const Scope& scope, VulnerablePackageSummary& p) {
  ASSIGN_OR_RETURN(p.installed_versions, InstalledVersions(conn, p.package, scope));
  return Status::Ok();
}

Status FinishFix(SqliteConnection& conn, const Scope& scope, FixFirstRow& row) {
  ASSIGN_OR_RETURN(std::optional<FixFirstRow> full,
                   ComputeFixRow(conn, row.package, row.release, scope));
  if (full) {
    row.fixed_version = full->fixed_version;
    row.upgrade_command = full->upgrade_command;
    row.cves = full->cves;
  }
  return Status::Ok();
}

}  // namespace

Result<ListPage<VulnerabilitySummary>> SqliteVulnerabilityFindingRepository::ListByCve(
    const ListQuery& query) {
  return ViewPage<VulnerabilitySummary>(pool_, SummaryListTable(), query, ReadSummary, ScopedCveSql,
                                        nullptr);
}

Status SqliteVulnerabilityFindingRepository::ExportByCve(
    const ListQuery& query, const RowCallback<VulnerabilitySummary>& row) {
  return ViewExport<VulnerabilitySummary>(pool_, SummaryListTable(), query, ReadSummary,
                                          ScopedCveSql, nullptr, row);
}

Result<ListPage<VulnerablePackageSummary>> SqliteVulnerabilityFindingRepository::ListByPackage(
    const ListQuery& query) {
  return ViewPage<VulnerablePackageSummary>(pool_, PackageListTable(), query, ReadPackageSummary,
                                            ScopedPackageSql, FinishPackage);
}

Status SqliteVulnerabilityFindingRepository::ExportByPackage(
    const ListQuery& query, const RowCallback<VulnerablePackageSummary>& row) {
  return ViewExport<VulnerablePackageSummary>(pool_, PackageListTable(), query, ReadPackageSummary,
                                              ScopedPackageSql, FinishPackage, row);
}

Result<ListPage<FixFirstRow>> SqliteVulnerabilityFindingRepository::ListFixFirst(
    const ListQuery& query) {
  return ViewPage<FixFirstRow>(pool_, FixListTable(), query, ReadFixRow, ScopedFixSql, FinishFix);
}

Status SqliteVulnerabilityFindingRepository::ExportFixFirst(const ListQuery& query,
                                                            const RowCallback<FixFirstRow>& row) {
  return ViewExport<FixFirstRow>(pool_, FixListTable(), query, ReadFixRow, ScopedFixSql, FinishFix,
                                 row);
}

Result<std::optional<VulnerabilityDetail>> SqliteVulnerabilityFindingRepository::GetCve(
    std::string_view cve) {
  ReadPool::Lease lease = pool_.Acquire();
  SqliteConnection& conn = lease.conn();
  ASSIGN_OR_RETURN(ReadSnapshot snapshot, ReadSnapshot::Begin(conn));
  VulnerabilityDetail d;
  ASSIGN_OR_RETURN(std::optional<VulnerabilitySummary> summary,
                   ComputeCveSummary(conn, cve, &d.feeds));
  if (!summary) return std::optional<VulnerabilityDetail>();
  d.summary = std::move(*summary);
  d.description = d.summary.title;
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn.Statement("SELECT id FROM fleet_vulnerabilities WHERE cve = ?1"));
    st->Bind(1, cve);
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) d.summary.id = st->Int(0);
  }
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn.Statement("SELECT package, release_name, fixed_version, vendor_status, COUNT(DISTINCT "
                     "host_id) FROM host_vulnerabilities WHERE cve = ?1 GROUP BY package, "
                     "release_name, fixed_version, vendor_status ORDER BY package, release_name, "
                     "fixed_version, vendor_status"));
  st->Bind(1, cve);
  for (;;) {
    ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    VulnerabilityDetail::AffectedPackage p;
    p.package = st->Text(0);
    p.release = st->Text(1);
    p.fixed_version = OptionalText(*st, 2);
    p.vendor_status = st->Text(3);
    p.host_count = st->Int(4);
    d.packages.push_back(std::move(p));
  }
  return std::optional<VulnerabilityDetail>(std::move(d));
}

Result<std::vector<HostToMatch>> SqliteVulnerabilityFindingRepository::HostsToMatch(
    std::string_view feed_token, int64_t limit) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      lease.conn().Statement(
          "SELECT i.host_id, i.packages_at FROM host_inventory i LEFT JOIN "
          "host_vulnerability_scans s ON s.host_id = i.host_id WHERE i.packages_at IS NOT NULL "
          "AND (s.host_id IS NULL OR s.packages_at < i.packages_at OR s.feed_token <> ?1) ORDER "
          "BY i.host_id LIMIT ?2"));
  st->Bind(1, feed_token).Bind(2, limit);
  std::vector<HostToMatch> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    out.push_back({st->Int(0), st->Int(1)});
  }
  return out;
}

Result<MatchProgress> SqliteVulnerabilityFindingRepository::Progress(std::string_view feed_token) {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ReadSnapshot snapshot, ReadSnapshot::Begin(lease.conn()));
  MatchProgress p;
  {
    ASSIGN_OR_RETURN(
        ScopedStatement st,
        lease.conn().Statement("SELECT MAX(matched_at) FROM host_vulnerability_scans"));
    ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) p.matched_at = OptionalInt(*st, 0);
  }
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement(
                       "SELECT COUNT(*) FROM host_vulnerability_scans WHERE feed_token = ?1 AND "
                       "outcome = 'matched'"));
  st->Bind(1, feed_token);
  ASSIGN_OR_RETURN(bool row, st->Step());
  if (row) p.hosts_matched = st->Int(0);
  return p;
}

Result<int64_t> SqliteVulnerabilityFindingRepository::StaleSummaries() {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(ScopedStatement st,
                   lease.conn().Statement("SELECT COUNT(*) FROM vulnerability_summary_dirty"));
  ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? st->Int(0) : 0;
}

Result<std::vector<VulnerabilityFeed>> SqliteVulnerabilityFindingRepository::Feeds() {
  ReadPool::Lease lease = pool_.Acquire();
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      lease.conn().Statement("SELECT source, format, file_name, sha256, imported_at, "
                             "records, cves FROM vulnerability_feeds ORDER BY source"));
  std::vector<VulnerabilityFeed> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    VulnerabilityFeed f;
    f.source = st->Text(0);
    f.format = st->Text(1);
    f.file_name = OptionalText(*st, 2);
    f.sha256 = st->Text(3);
    f.imported_at = st->Int(4);
    f.records = st->Int(5);
    f.cves = st->Int(6);
    out.push_back(std::move(f));
  }
  return out;
}

// ---- write side

Result<int64_t> SqliteVulnerabilityFindingWriter::ReplaceForHost(
    int64_t host_id, const std::string& hostname,
    const std::vector<VulnerabilityFindingRow>& findings, EpochMs at) {
  for (size_t i = 0; i < findings.size(); ++i) {
    const VulnerabilityFindingRow& f = findings[i];
    if (f.cve.empty() || f.package.empty() || f.installed_version.empty())
      return InvalidArgument("findings[" + std::to_string(i) +
                             "]: cve, package and installed_version are required");
    if (f.severity < 0 || f.severity > 4)
      return InvalidArgument("findings[" + std::to_string(i) + "]: severity out of range");
    if (f.cvss_score && !(*f.cvss_score >= 0 && *f.cvss_score <= 10))
      return InvalidArgument("findings[" + std::to_string(i) + "]: cvss_score out of 0..10");
  }
  // What the host has now, by identity.
  std::unordered_map<std::string, StoredFinding> stored;
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("SELECT id, cve, package, installed_version, " +
                                     std::string(kContentColumns) +
                                     " FROM host_vulnerabilities WHERE host_id = ?1"));
    st->Bind(1, host_id);
    for (;;) {
      ASSIGN_OR_RETURN(bool more, st->Step());
      if (!more) break;
      StoredFinding s;
      s.id = st->Int(0);
      s.cve = st->Text(1);
      s.package = st->Text(2);
      // Read back exactly as ValuesOf builds them (cvss_score is compared by its rank).
      auto text = [&](int c) { return st->IsNull(c) ? std::string("0") : "1" + st->Text(c); };
      s.content = FindingContent({st->Text(4), text(5), text(6), text(7), st->Text(8),
                                  std::to_string(st->Int(9)), std::to_string(st->Int(11)),
                                  st->Text(12), text(13), std::to_string(st->Int(14)), st->Text(15),
                                  st->Text(16), st->Text(17), text(18), text(19), st->Text(20)});
      s.fix_key = FixKey(st->Text(17), st->Text(15));
      stored.emplace(FindingKey(s.cve, s.package, st->Text(3)), std::move(s));
    }
  }
  const std::string content_sets =
      "hostname = ?3, source_package = ?4, arch = ?5, fixed_version = ?6, vendor_status = ?7, "
      "severity_rank = ?8, cvss_score = ?9, cvss_rank = ?10, links_json = ?11, upgrade_command = "
      "?12, fix_available = ?13, release_name = ?14, package_manager = ?15, upgrade_package = "
      "?16, title = ?17, cvss_vector = ?18, feeds_json = ?19";
  std::set<SummaryKey> stale;
  auto mark = [&](const std::string& cve, const std::string& package, const std::string& fix) {
    stale.insert({"cve", cve});
    stale.insert({"package", package});
    stale.insert({"fix", fix});
  };
  std::set<std::string> seen;
  int64_t count = 0;
  for (const VulnerabilityFindingRow& f : findings) {
    const std::string key = FindingKey(f.cve, f.package, f.installed_version);
    if (!seen.insert(key).second) continue;  // the same package twice (two archs)
    ++count;
    const FindingValues v = ValuesOf(f, hostname);
    const std::string fix_key = FixKey(v.upgrade_package, f.release);
    auto it = stored.find(key);
    if (it != stored.end() && it->second.content == v.content) {
      ASSIGN_OR_RETURN(ScopedStatement st,
                       conn_.Statement("UPDATE host_vulnerabilities SET last_seen_at = ?2 WHERE "
                                       "id = ?1"));
      st->Bind(1, it->second.id).Bind(2, at);
      RETURN_IF_ERROR(st->Run());
    } else if (it != stored.end()) {
      ASSIGN_OR_RETURN(ScopedStatement st,
                       conn_.Statement("UPDATE host_vulnerabilities SET last_seen_at = ?2, " +
                                       content_sets + " WHERE id = ?1"));
      st->Bind(1, it->second.id).Bind(2, at);
      BindContent(*st, 3, f, hostname, v);
      RETURN_IF_ERROR(st->Run());
      mark(it->second.cve, it->second.package, it->second.fix_key);
      mark(f.cve, f.package, fix_key);
    } else {
      ASSIGN_OR_RETURN(
          ScopedStatement st,
          conn_.Statement(
              "INSERT INTO host_vulnerabilities (host_id, first_seen_at, last_seen_at, " +
              std::string(kContentColumns) +
              ", cve, package, installed_version) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, "
              "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, "
              "?22)"));
      st->Bind(1, host_id).Bind(2, at);
      BindContent(*st, 3, f, hostname, v);
      st->Bind(20, f.cve).Bind(21, f.package).Bind(22, f.installed_version);
      RETURN_IF_ERROR(st->Run());
      mark(f.cve, f.package, fix_key);
    }
    if (it != stored.end()) stored.erase(it);
  }
  for (const auto& [key, gone] : stored) {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("DELETE FROM host_vulnerabilities WHERE id = ?1"));
    st->Bind(1, gone.id);
    RETURN_IF_ERROR(st->Run());
    mark(gone.cve, gone.package, gone.fix_key);
  }
  RETURN_IF_ERROR(MarkStale(conn_, stale));
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn_.Statement(
          "UPDATE host_packages SET cve_count = (SELECT COUNT(*) FROM host_vulnerabilities v WHERE "
          "v.host_id = host_packages.host_id AND v.package = host_packages.name AND "
          "v.installed_version = host_packages.version) WHERE host_id = ?1"));
  st->Bind(1, host_id);
  RETURN_IF_ERROR(st->Run());
  return count;
}

Status SqliteVulnerabilityFindingWriter::RecordMatch(const HostMatchRecord& r) {
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn_.Statement("INSERT INTO host_vulnerability_scans (host_id, matched_at, packages_at, "
                      "feed_token, findings, outcome, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                      "ON CONFLICT (host_id) DO UPDATE SET matched_at = excluded.matched_at, "
                      "packages_at = excluded.packages_at, feed_token = excluded.feed_token, "
                      "findings = excluded.findings, outcome = excluded.outcome, message = "
                      "excluded.message"));
  st->Bind(1, r.host_id).Bind(2, r.matched_at).Bind(3, r.packages_at).Bind(4, r.feed_token);
  st->Bind(5, r.findings).Bind(6, r.outcome);
  BindOptionalText(*st, 7, r.message);
  return st->Run();
}

namespace {

Status DeleteSummary(SqliteConnection& conn, std::string_view sql, std::string_view key,
                     std::optional<std::string_view> second = std::nullopt) {
  ASSIGN_OR_RETURN(ScopedStatement st, conn.Statement(sql));
  st->Bind(1, key);
  if (second) st->Bind(2, *second);
  return st->Run();
}

Status RefreshCve(SqliteConnection& conn, const std::string& cve, EpochMs at) {
  ASSIGN_OR_RETURN(std::optional<VulnerabilitySummary> s, ComputeCveSummary(conn, cve, nullptr));
  if (!s) return DeleteSummary(conn, "DELETE FROM fleet_vulnerabilities WHERE cve = ?1", cve);
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn.Statement("INSERT INTO fleet_vulnerabilities (cve, title, severity_rank, cvss_rank, "
                     "cvss_vector, host_count, package_count, fix_available, links_json, "
                     "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT "
                     "(cve) DO UPDATE SET title = excluded.title, severity_rank = "
                     "excluded.severity_rank, cvss_rank = excluded.cvss_rank, cvss_vector = "
                     "excluded.cvss_vector, host_count = excluded.host_count, package_count = "
                     "excluded.package_count, fix_available = excluded.fix_available, links_json "
                     "= excluded.links_json, updated_at = excluded.updated_at"));
  st->Bind(1, cve);
  BindOptionalText(*st, 2, s->title);
  st->Bind(3, int64_t{s->severity}).Bind(4, RankOfScore(s->cvss_score));
  BindOptionalText(*st, 5, s->cvss_vector);
  st->Bind(6, s->host_count).Bind(7, s->package_count).Bind(8, int64_t{s->fix_available ? 1 : 0});
  st->Bind(9, LinksJson(s->nvd_link, s->vendor_links)).Bind(10, at);
  return st->Run();
}

Status RefreshPackage(SqliteConnection& conn, const std::string& package, EpochMs at) {
  ASSIGN_OR_RETURN(std::optional<VulnerablePackageSummary> p, ComputePackageSummary(conn, package));
  if (!p)
    return DeleteSummary(conn, "DELETE FROM fleet_vulnerable_packages WHERE package = ?1", package);
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn.Statement("INSERT INTO fleet_vulnerable_packages (package, source_package, "
                     "installed_versions_json, cve_count, host_count, max_severity, max_cvss_rank, "
                     "fix_available, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON "
                     "CONFLICT (package) DO UPDATE SET source_package = excluded.source_package, "
                     "installed_versions_json = excluded.installed_versions_json, cve_count = "
                     "excluded.cve_count, host_count = excluded.host_count, max_severity = "
                     "excluded.max_severity, max_cvss_rank = excluded.max_cvss_rank, "
                     "fix_available = excluded.fix_available, updated_at = excluded.updated_at"));
  st->Bind(1, package);
  BindOptionalText(*st, 2, p->source_package);
  st->Bind(3, DumpJson(json(p->installed_versions))).Bind(4, p->cve_count).Bind(5, p->host_count);
  st->Bind(6, int64_t{p->max_severity}).Bind(7, RankOfScore(p->max_cvss));
  st->Bind(8, int64_t{p->fix_available ? 1 : 0}).Bind(9, at);
  return st->Run();
}

Status RefreshFix(SqliteConnection& conn, const std::string& key, EpochMs at) {
  const size_t space = key.find(' ');
  const std::string package = key.substr(0, space);
  const std::string release = space == std::string::npos ? "" : key.substr(space + 1);
  ASSIGN_OR_RETURN(std::optional<FixFirstRow> row, ComputeFixRow(conn, package, release, Scope{}));
  if (!row)
    return DeleteSummary(conn,
                         "DELETE FROM fleet_fix_first WHERE package = ?1 AND release_name = ?2",
                         package, release);
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn.Statement("INSERT INTO fleet_fix_first (package, release_name, fixed_version, "
                     "upgrade_command, cves_cleared, cves_json, host_count, impact, max_severity, "
                     "max_cvss_rank, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                     "?11) ON CONFLICT (package, release_name) DO UPDATE SET fixed_version = "
                     "excluded.fixed_version, upgrade_command = excluded.upgrade_command, "
                     "cves_cleared = excluded.cves_cleared, cves_json = excluded.cves_json, "
                     "host_count = excluded.host_count, impact = excluded.impact, max_severity = "
                     "excluded.max_severity, max_cvss_rank = excluded.max_cvss_rank, updated_at = "
                     "excluded.updated_at"));
  st->Bind(1, row->package).Bind(2, row->release).Bind(3, row->fixed_version);
  st->Bind(4, row->upgrade_command).Bind(5, row->cves_cleared).Bind(6, DumpJson(json(row->cves)));
  st->Bind(7, row->host_count).Bind(8, row->impact).Bind(9, int64_t{row->max_severity});
  st->Bind(10, RankOfScore(row->max_cvss)).Bind(11, at);
  return st->Run();
}

}  // namespace

Result<int64_t> SqliteVulnerabilityFindingWriter::RefreshSummaries(int64_t max_keys,
                                                                   std::chrono::milliseconds budget,
                                                                   EpochMs at) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  std::vector<SummaryKey> keys;
  {
    ASSIGN_OR_RETURN(ScopedStatement st,
                     conn_.Statement("SELECT kind, summary_key FROM vulnerability_summary_dirty "
                                     "ORDER BY kind, summary_key LIMIT ?1"));
    st->Bind(1, max_keys);
    for (;;) {
      ASSIGN_OR_RETURN(bool more, st->Step());
      if (!more) break;
      keys.push_back({st->Text(0), st->Text(1)});
    }
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    const SummaryKey& k = keys[i];
    if (i > 0 && std::chrono::steady_clock::now() >= deadline) break;
    if (k.kind == "cve")
      RETURN_IF_ERROR(RefreshCve(conn_, k.key, at));
    else if (k.kind == "package")
      RETURN_IF_ERROR(RefreshPackage(conn_, k.key, at));
    else if (k.kind == "fix")
      RETURN_IF_ERROR(RefreshFix(conn_, k.key, at));
    RETURN_IF_ERROR(DeleteSummary(
        conn_, "DELETE FROM vulnerability_summary_dirty WHERE kind = ?1 AND summary_key = ?2",
        k.kind, k.key));
  }
  ASSIGN_OR_RETURN(ScopedStatement st,
                   conn_.Statement("SELECT COUNT(*) FROM vulnerability_summary_dirty"));
  ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? st->Int(0) : 0;
}

Status SqliteVulnerabilityFindingWriter::ReplaceFeeds(const std::vector<VulnerabilityFeed>& feeds) {
  std::map<std::string, std::pair<EpochMs, std::string>> kept;  // source -> imported_at, sha256
  {
    ASSIGN_OR_RETURN(
        ScopedStatement st,
        conn_.Statement("SELECT source, imported_at, sha256 FROM vulnerability_feeds"));
    for (;;) {
      ASSIGN_OR_RETURN(bool more, st->Step());
      if (!more) break;
      kept[st->Text(0)] = {st->Int(1), st->Text(2)};
    }
  }
  RETURN_IF_ERROR(conn_.Run("DELETE FROM vulnerability_feeds"));
  ASSIGN_OR_RETURN(
      ScopedStatement st,
      conn_.Statement("INSERT INTO vulnerability_feeds (source, format, file_name, sha256, "
                      "imported_at, records, cves) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  for (const VulnerabilityFeed& f : feeds) {
    if (f.source.empty()) return InvalidArgument("feeds: a feed without a source");
    std::string sha = f.sha256;
    auto it = kept.find(f.source);
    if (sha.empty() && it != kept.end() && it->second.first == f.imported_at)
      sha = it->second.second;
    st->Bind(1, f.source).Bind(2, f.format);
    BindOptionalText(*st, 3, f.file_name);
    st->Bind(4, sha).Bind(5, f.imported_at).Bind(6, f.records).Bind(7, f.cves);
    RETURN_IF_ERROR(st->Run());
    st->Reset();
  }
  return Status::Ok();
}

}  // namespace warden::store
