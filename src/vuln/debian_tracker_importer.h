// Imports the Debian Security Tracker's JSON export
// (security-tracker.debian.org/tracker/data/json): an object of source
// packages, each an object of CVE (or TEMP-) ids, each with per-release
// verdicts: {"status": "resolved"|"open"|"undetermined", "fixed_version",
// "urgency", "nodsa", "nodsa_reason", "repositories"}. The export is ~100 MB,
// so it is read as a stream (SAX) and only one CVE entry is held in memory at a
// time. Quirks handled: `releases` may be an empty list instead of an object;
// `fixed_version: "0"` means the release was never affected; urgencies carry a
// "**" marker when provisional.
// Shape is checked before a CVE entry reaches the sink: a field of the wrong
// type (`"releases": "bookworm"`, `"fixed_version": 123`), a missing
// `releases` or `status` fails the import with the JSON pointer of the value,
// so a malformed file cannot replace good records with fewer. Keys Warden
// does not read (scope, debianbug, repositories) are not checked.
// Does not know about the database: records go to a FeedSink.
#pragma once

#include <cstdio>
#include <string_view>

#include "vuln/feed_record.h"

namespace warden {

inline constexpr std::string_view kDebianTrackerSource = "debian-tracker";

// Parses tracker JSON held in memory. `origin` names the input in errors.
Status ImportDebianTrackerJson(std::string_view text, std::string_view origin, FeedSink& sink);
// Streams tracker JSON from an open file; `progress` (may be empty) gets the
// bytes consumed so far every few thousand entries.
Status ImportDebianTrackerFile(std::FILE* file, std::string_view origin, FeedSink& sink,
                               const ProgressFn& progress);

}  // namespace warden
