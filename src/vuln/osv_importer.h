// Imports OSV records (ossf.github.io/osv-schema) for the distribution
// ecosystems Warden scans: Debian ("Debian:12"), Ubuntu ("Ubuntu:22.04:LTS",
// "Ubuntu:Pro:18.04:LTS"), AlmaLinux ("AlmaLinux:9"), Rocky ("Rocky Linux:8")
// and Red Hat ("Red Hat:enterprise_linux:9::appstream"). Each affected package's
// ECOSYSTEM ranges become records: introduced/fixed pairs are "fixed",
// an open range is "affected", last_affected bounds it. Severity comes from the
// vendor's word (Ubuntu priority, database_specific.severity, Debian urgency)
// and from CVSS v3 vectors. Records of other ecosystems (PyPI, npm, ...) and
// withdrawn records are skipped, not errors.
// One record per call: directories and all.zip archives are walked by
// feed_importer.cc, which calls ImportOsvRecord for each member.
#pragma once

#include <string_view>

#include "vuln/feed_record.h"

namespace warden {

// Largest single OSV record accepted; real ones are a few KB (big kernel
// records with long `versions` lists reach a few hundred KB).
inline constexpr size_t kMaxOsvRecordBytes = 16u << 20;

// Parses one OSV JSON record. `origin` names it in errors ("all.zip:DSA-1-1.json").
// Returns how many records it gave the sink through `added` (may be null).
Status ImportOsvRecord(std::string_view text, std::string_view origin, FeedSink& sink,
                       size_t* added = nullptr);

}  // namespace warden
