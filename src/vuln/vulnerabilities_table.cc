// `vulnerabilities`: one row per (installed binary package, CVE) the vendor
// feeds say is affected, fixed or not. Columns mirror the JSON keys of `warden
// scan vulns`. The hidden `feed_db` column picks the feed database
// (WHERE feed_db = '/path/feeds.db'); without it the default path is used. A
// missing feed database is an error, not zero rows: "no rows" must mean "no
// known vulnerabilities", never "nothing to compare with".
// `WHERE package = ...` is pushed down: only those packages are matched.
#include "vuln/vulnerabilities_table.h"

#include <algorithm>

#include "core/time_format.h"
#include "vuln/advisory_matcher.h"
#include "vuln/feed_database.h"
#include "vuln/scan_target.h"
#include "vuln/vulnerability_finding.h"

namespace warden {

void RegisterVulnerabilitiesTable(TableRegistry& registry) {
  registry.Add(
      TableSchema{
          "vulnerabilities",
          "Vulnerabilities of installed packages according to the imported vendor feeds (warden "
          "feed import).",
          {{"package", ColumnType::kText, kIndex, "", "Binary package name"},
           {"arch", ColumnType::kText},
           {"installed_version", ColumnType::kText},
           {"source_package", ColumnType::kText, kNone, "",
            "Source package (Debian/Ubuntu) compared with the feed"},
           {"cve", ColumnType::kText},
           {"status", ColumnType::kText, kNone, "",
            "fixed, affected, will_not_fix, deferred or under_investigation"},
           {"fixed_version", ColumnType::kText, kNone, "", "NULL when the vendor has no fix"},
           {"severity", ColumnType::kText, kNone, "",
            "none, low, medium, high, critical or unknown"},
           {"cvss_score", ColumnType::kDouble},
           {"cvss_vector", ColumnType::kText},
           {"advisory", ColumnType::kText},
           {"vendor_status", ColumnType::kText},
           {"vendor_severity", ColumnType::kText},
           {"distro", ColumnType::kText},
           {"release", ColumnType::kText},
           {"feeds", ColumnType::kText},
           {"remediation", ColumnType::kText},
           {"links", ColumnType::kText, kNone, "",
            "Space-separated URLs (NVD, vendor tracker, advisory)"},
           {"title", ColumnType::kText},
           {"feed_db", ColumnType::kText, kHidden | kAdditional, "", "Feed database path"}}},
      [](const QueryContext& ctx, RowWriter& out) -> Status {
        std::string db_path = DefaultFeedDatabasePath();
        if (auto dbs = ctx.TextEquals("feed_db"); dbs && !dbs->empty()) db_path = dbs->front();
        ASSIGN_OR_RETURN(std::unique_ptr<FeedDatabase> db, FeedDatabase::OpenReadOnly(db_path));
        ASSIGN_OR_RETURN(ScanTarget target, ReadScanTarget(ctx.fs()));
        if (auto names = ctx.TextEquals("package")) {
          auto wanted = [&](const std::string& n) {
            return std::find(names->begin(), names->end(), n) != names->end();
          };
          std::erase_if(target.debs, [&](const DebPackage& p) { return !wanted(p.name); });
          std::erase_if(target.rpms, [&](const RpmPackage& p) { return !wanted(p.name); });
        }
        if (ctx.Cancelled()) return Status::Ok();
        ASSIGN_OR_RETURN(std::vector<VulnerabilityMatch> matches,
                         MatchVulnerabilities(*db, target));
        for (const VulnerabilityMatch& m : matches) {
          Row& row = out.Add();
          row.Set("package", m.package);
          row.Set("arch", m.arch);
          row.Set("installed_version", m.installed_version);
          row.Set("source_package", m.source_package);
          row.Set("cve", m.cve);
          row.Set("status", VendorStatusName(m.status));
          if (!m.fixed_version.empty()) row.Set("fixed_version", m.fixed_version);
          row.Set("severity", SeverityLabel(m));
          if (m.cvss_score >= 0) row.Set("cvss_score", Value(m.cvss_score));
          if (!m.cvss_vector.empty()) row.Set("cvss_vector", m.cvss_vector);
          if (!m.advisory.empty()) row.Set("advisory", m.advisory);
          row.Set("vendor_status", m.vendor_status);
          row.Set("vendor_severity", m.vendor_severity);
          row.Set("distro", m.distro);
          row.Set("release", m.release);
          std::string feeds, links;
          for (const auto& f : m.feeds) feeds += (feeds.empty() ? "" : " ") + f;
          for (const auto& l : m.links) links += (links.empty() ? "" : " ") + l;
          row.Set("feeds", feeds);
          row.Set("remediation", RemediationFor(m, target));
          row.Set("links", links);
          row.Set("title", m.title);
          row.Set("feed_db", db_path);
        }
        return Status::Ok();
      });
}

}  // namespace warden
