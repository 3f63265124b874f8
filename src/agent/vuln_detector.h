// Rule HOST-VULN, "Scanned host has vulnerabilities": scans the host's
// installed packages with src/vuln (the same scan as `warden scan vulns`)
// and reports one problem per host listing every CVE at or above the rule's
// min_severity (fixable ones, plus unfixed ones with include_unfixed), with
// counts by severity; each CVE is kept as a drill-down finding of the
// problem. When no feed database exists, or it has no records for this
// distribution release, the run is skipped with a message saying how to
// import a feed, and existing problems are left as they are (not resolved:
// "no data" is not "no vulnerabilities").
#pragma once

#include <string>

#include "agent/agent_config.h"
#include "core/host_fs.h"
#include "problems/problem.h"

namespace warden {

struct VulnDetection {
  bool skipped = false;
  std::string skip_reason;
  Observation observation;
  std::string summary;  // "12 CVEs (critical 1, high 11) in 5 packages"
};

Result<VulnDetection> DetectVulnerabilities(const HostFs& fs, const RuleConfig& rule,
                                            const std::string& host, int64_t now);

}  // namespace warden
