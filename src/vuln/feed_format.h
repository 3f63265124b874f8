// Tells which feed format a file holds by looking at its first bytes, never
// at its name: a tracker export saved as "data" or an OSV record without an
// extension imports the same. JSON is told apart by its first keys (OSV
// records start with OSV keys such as "id"/"schema_version"; the Debian
// tracker starts with a source package whose first key is a CVE/TEMP id);
// XML must have an <oval_definitions> root; bzip2 and zip are recognised by
// their magic numbers and, for bzip2, by the decompressed head.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace warden {

enum class FeedFormat {
  kUnknown,
  kDebianTrackerJson,
  kOsvJson,  // one OSV record
  kOsvZip,   // an OSV ecosystem export (all.zip): one record per member
  kOvalXml,
  kOvalXmlBz2,
};

std::string_view FeedFormatName(FeedFormat format);  // "debian-tracker-json", "osv-json", ...

// Detects from the first bytes of a file (pass at least 4 KiB when the file is
// that long; more helps bzip2).
FeedFormat DetectFeedFormat(std::string_view head);
// Reads the head of a file and detects its format; IoError when unreadable.
Result<FeedFormat> DetectFeedFormatOfFile(const std::string& path);

}  // namespace warden
