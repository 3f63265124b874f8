// `warden scan vulns`: matches the host's installed packages (or those under
// --root) against the local feed database and prints one finding per
// (binary package, CVE). Exit codes gate pipelines: 0 when no finding is at or
// above --min-severity (among those listed: fixable ones, plus unfixed ones
// with --include-unfixed), 1 when some are, 2 on any error.
#include <iostream>

#include "cli/terminal_table.h"
#include "cli/warden_cli.h"
#include "core/finding.h"
#include "core/time_format.h"
#include "vuln/advisory_matcher.h"
#include "vuln/feed_database.h"
#include "vuln/scan_target.h"
#include "vuln/vulnerability_finding.h"

namespace warden {
namespace {

struct ScanOpts {
  std::string db;
  std::string min_severity = "none";
  bool include_unfixed = false;
  std::string format;
  std::string root = "/";
};

Value NullableValue(const Json& j) {
  if (j.is_null()) return Value();
  if (j.is_number_float()) return Value(j.get<double>());
  if (j.is_number_integer()) return Value(j.get<int64_t>());
  if (j.is_string()) return Value(j.get<std::string>());
  return Value(j.dump());
}

int RunScan(const ScanOpts& o) {
  const std::string format = o.format.empty() ? DefaultFormat() : o.format;
  if (format != "table" && format != "json" && format != "csv" && format != "ocsf" &&
      format != "jsonl")
    return ReportError(InvalidArgument("--format: unknown format '" + format +
                                       "' (use table, json, jsonl, csv or ocsf)"));
  auto min = ParseSeverityName(o.min_severity);
  if (!min)
    return ReportError(
        InvalidArgument("--min-severity: " + UnknownSeverityMessage(o.min_severity)));
  HostFs fs(o.root);
  if (!fs.IsDirectory("/")) return ReportError(NotFound("--root " + o.root + ": not a directory"));
  const std::string db_path = o.db.empty() ? DefaultFeedDatabasePath() : o.db;
  auto db = FeedDatabase::OpenReadOnly(db_path);
  if (!db.ok()) return ReportError(db.status());
  auto target = ReadScanTarget(fs);
  if (!target.ok()) return ReportError(target.status());
  auto has_release = (*db)->HasRelease(target->distro, target->release);
  if (!has_release.ok()) return ReportError(has_release.status());
  if (!*has_release)
    std::cerr << "warden: warning: " << db_path << " has no records for " << target->distro << " "
              << target->release << "; import that distribution's feed (warden feed import)\n";
  auto matches = MatchVulnerabilities(**db, *target);
  if (!matches.ok()) return ReportError(matches.status());

  // Findings are made and printed one at a time: a scan with tens of
  // thousands of findings (--include-unfixed on an old image) stays flat in
  // memory, and machine formats start streaming at once.
  const int64_t now = NowEpochSeconds();
  size_t listed = 0;
  std::string buffer;
  std::unique_ptr<RowPrinter> printer;
  std::vector<std::string> columns = {"package", "installed_version", "cve",      "severity",
                                      "status",  "fixed_version",     "advisory", "remediation"};
  if (format == "csv")
    columns.insert(columns.end(), {"arch", "source_package", "cvss_score", "cvss_vector",
                                   "vendor_status", "links"});
  if (format == "table" || format == "csv") {
    printer = MakeRowPrinter(ParseOutputFormat(format).value_or(OutputFormat::kTable), std::cout,
                             StdoutTableFit({{"cve", 3, 16},
                                             {"package", 3},
                                             {"severity", 2},
                                             {"fixed_version", 1},
                                             {"advisory", -1},
                                             {"remediation", -2}}));
    printer->Begin(columns);
  } else if (format != "jsonl") {
    std::cout << "[";
  }
  for (const VulnerabilityMatch& m : *matches) {
    if (!ShouldReport(m, *min, o.include_unfixed)) continue;
    Finding f = MakeLeanVulnerabilityFinding(m, *target, now);
    if (printer) {
      std::vector<Value> row;
      for (const std::string& c : columns) {
        if (c == "remediation") {
          row.emplace_back(f.remediation);
        } else if (c == "links") {
          std::string links;
          for (const auto& l : f.links) links += (links.empty() ? "" : " ") + l;
          row.emplace_back(links);
        } else {
          row.push_back(NullableValue(f.attributes.value(c, Json())));
        }
      }
      printer->Row(row);
    } else {
      if (format == "ocsf") AddOcsfVulnerability(m, *target, &f);
      Json j =
          format == "ocsf" ? FindingToOcsf(f, OcsfClass::kVulnerabilityFinding) : FindingToJson(f);
      buffer.clear();
      if (format == "jsonl") {
        buffer = j.dump();
        buffer += '\n';
      } else {
        buffer = listed ? ",\n" : "\n";
        buffer += j.dump(2);
      }
      std::cout << buffer;
    }
    ++listed;
  }
  if (printer)
    printer->End();
  else if (format != "jsonl")
    std::cout << (listed ? "\n]\n" : "]\n");
  std::cout.flush();
  if (format == "table") {
    std::cerr << listed << " finding(s) at or above " << SeverityName(*min)
              << (o.include_unfixed ? "" : " with a fix available") << "; " << matches->size()
              << " total for " << target->distro << " " << target->release << " ("
              << (target->family == PackageFamily::kDeb ? target->debs.size() : target->rpms.size())
              << " packages)\n";
  }
  return listed == 0 ? 0 : 1;
}

}  // namespace

void AddScanCommand(CLI::App& app, CommandAction* action) {
  auto opts = std::make_shared<ScanOpts>();
  CLI::App* scan = app.add_subcommand("scan", "Scan the host")->require_subcommand(1);
  CLI::App* vulns =
      scan->add_subcommand("vulns",
                           "List CVEs of installed packages from the imported vendor feeds")
          ->footer(
              "Exit code: 0 no finding at or above --min-severity, 1 some, 2 error.\n"
              "Examples:\n"
              "  warden scan vulns\n"
              "  warden scan vulns --min-severity high --format json > vulns.json\n"
              "  warden scan vulns --include-unfixed --format csv --db /tmp/feeds.db\n"
              "  warden scan vulns --root /mnt/image --format ocsf");
  vulns->add_option("--db", opts->db, "Feed database (default: " + DefaultFeedDatabasePath() + ")");
  vulns->add_option("--min-severity", opts->min_severity,
                    "Report findings at or above: none|low|medium|high|critical (default none)");
  vulns->add_flag("--include-unfixed", opts->include_unfixed,
                  "Also list CVEs the vendor has not fixed (affected, will_not_fix, deferred, "
                  "under_investigation)");
  AddFormatOption(*vulns, &opts->format, "table|json|jsonl|csv|ocsf");
  vulns->add_option("--root", opts->root, "Scan the filesystem under this directory instead of /");
  vulns->callback([opts, action]() { *action = [opts]() { return RunScan(*opts); }; });
}

}  // namespace warden
