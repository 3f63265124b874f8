#include "agent/vuln_detector.h"

#include <map>
#include <set>

#include "vuln/advisory_matcher.h"
#include "vuln/feed_database.h"
#include "vuln/scan_target.h"
#include "vuln/vulnerability_finding.h"

namespace warden {

Result<VulnDetection> DetectVulnerabilities(const HostFs& fs, const RuleConfig& rule,
                                            const std::string& host, int64_t now) {
  VulnDetection out;
  const std::string db_path =
      rule.vuln.feed_database.empty() ? DefaultFeedDatabasePath() : rule.vuln.feed_database;
  auto db = FeedDatabase::OpenReadOnly(db_path);
  if (!db.ok()) {
    if (db.status().code() != StatusCode::kNotFound) return db.status();
    out.skipped = true;
    out.skip_reason =
        "no feed database at " + db_path +
        "; import a feed first, e.g. warden feed import debian-tracker.json (see docs/agent.md)";
    return out;
  }
  auto target = ReadScanTarget(fs);
  if (!target.ok()) {
    if (target.status().code() != StatusCode::kInvalidArgument) return target.status();
    out.skipped = true;
    out.skip_reason = target.status().message();
    return out;
  }
  ASSIGN_OR_RETURN(bool has_release, (*db)->HasRelease(target->distro, target->release));
  if (!has_release) {
    out.skipped = true;
    out.skip_reason = db_path + " has no records for " + target->distro + " " + target->release +
                      "; import that distribution's feed (warden feed import)";
    return out;
  }
  ASSIGN_OR_RETURN(std::vector<VulnerabilityMatch> matches, MatchVulnerabilities(**db, *target));

  std::set<std::string> cves, packages;
  std::map<std::string, int64_t> counts = {
      {"critical", 0}, {"high", 0}, {"medium", 0}, {"low", 0}, {"unknown", 0}};
  std::map<std::string, Json> by_package;
  std::vector<Finding> details;
  Json ocsf_vulns = Json::array();
  for (const VulnerabilityMatch& m : matches) {
    if (!ShouldReport(m, rule.vuln.min_severity, rule.vuln.include_unfixed)) continue;
    Finding d = MakeVulnerabilityFinding(m, *target, now);
    if (cves.insert(m.cve).second) {
      std::string label(SeverityLabel(m));
      if (label == "none") label = "unknown";
      ++counts[label];
    }
    packages.insert(m.package);
    Json& p = by_package[m.package];
    if (p.is_null()) {
      p = {{"package", m.package},
           {"installed_version", m.installed_version},
           {"cves", Json::array()}};
    }
    p["cves"].push_back(m.cve);
    if (!m.fixed_version.empty()) p["fixed_version"] = m.fixed_version;
    if (d.ocsf_extra.contains("vulnerabilities") && ocsf_vulns.size() < 200)
      for (const auto& v : d.ocsf_extra["vulnerabilities"]) ocsf_vulns.push_back(v);
    details.push_back(std::move(d));
  }
  std::string counts_text;
  for (const char* k : {"critical", "high", "medium", "low", "unknown"}) {
    if (counts[k] == 0) continue;
    counts_text +=
        (counts_text.empty() ? "" : ", ") + std::string(k) + " " + std::to_string(counts[k]);
  }
  out.summary = std::to_string(cves.size()) + " CVEs" +
                (counts_text.empty() ? "" : " (" + counts_text + ")") + " in " +
                std::to_string(packages.size()) + " packages";
  if (cves.empty()) return out;

  Finding f;
  f.id = MakeFindingId({std::string(kVulnRuleId), host});
  f.rule_id = std::string(kVulnRuleId);
  f.title = "Scanned host has vulnerabilities";
  f.description = host + " (" + target->distro + " " + target->release + ") has " + out.summary +
                  " at or above " + std::string(SeverityName(rule.vuln.min_severity)) +
                  (rule.vuln.include_unfixed ? ", unfixed included" : " with a fix available") +
                  ".";
  f.risk_level = rule.risk_level;
  f.source = "host.vuln";
  f.resource = host;
  f.first_seen = f.last_seen = now;
  f.remediation = target->family == PackageFamily::kDeb
                      ? "apt-get update && apt-get install --only-upgrade " +
                            [&] {
                              std::string list;
                              for (const auto& p : packages) list += (list.empty() ? "" : " ") + p;
                              return list;
                            }()
                      : "dnf update (or yum update) the listed packages";
  Json counts_json = Json::object();
  for (const char* k : {"critical", "high", "medium", "low", "unknown"}) counts_json[k] = counts[k];
  f.attributes["host"] = host;
  f.attributes["distro"] = target->distro;
  f.attributes["release"] = target->release;
  f.attributes["min_severity"] = SeverityName(rule.vuln.min_severity);
  f.attributes["include_unfixed"] = rule.vuln.include_unfixed;
  f.attributes["cve_count"] = static_cast<int64_t>(cves.size());
  f.attributes["counts"] = counts_json;
  f.attributes["cves"] = Json(std::vector<std::string>(cves.begin(), cves.end()));
  Json pkgs = Json::array();
  for (auto& [name, p] : by_package) pkgs.push_back(p);
  f.evidence["packages"] = std::move(pkgs);
  f.evidence["feed_database"] = db_path;
  for (const auto& c : cves) {
    if (f.links.size() >= 20) break;
    if (c.rfind("CVE-", 0) != 0) continue;
    f.links.push_back("https://nvd.nist.gov/vuln/detail/" + c);
  }
  f.ocsf_extra["vulnerabilities"] = std::move(ocsf_vulns);
  out.observation.details[f.id] = std::move(details);
  out.observation.findings.push_back(std::move(f));
  return out;
}

}  // namespace warden
