// Imports Oracle Linux ELSA OVAL definitions (linux.oracle.com/security/oval:
// com.oracle.elsa-all.xml, com.oracle.elsa-olN.xml, plain or .bz2). Read as a
// stream with libxml2's xmlReader, one <definition> at a time, so a 1 GB file
// needs a few MB of memory; the whole document is still read to its end so a
// truncated file is an error, not a silent partial import.
// What a definition means is taken from its criteria comments, as Oracle
// writes them and as other vendor-accurate scanners read them:
//   "Oracle Linux 8 is installed"          -> release 8
//   "Oracle Linux arch is aarch64"         -> arch of the packages below it
//   "Module nodejs:18 is enabled"          -> module stream of the packages below it
//   "bind is earlier than 30:9.3.3-8.el5"  -> package + fixed EVR
//   "glibc is ksplice-based"               -> ksplice flavour
// The tests/objects/states sections are not evaluated (their references do
// not always resolve in published files), so a dangling reference is no error.
// A definition is read whole before the sink hears of it; one without an id,
// <metadata> or <criteria>, a criterion without a comment, or a package whose
// release no criterion or <platform> names fails the import (it would
// otherwise replace an ELSA's stored records with fewer).
// Network access and DTD loading are disabled, and a document with a DOCTYPE
// is refused before its first element: OVAL feeds have none, and the
// entities a DTD declares would be expanded wherever they are referenced.
#pragma once

#include <cstdio>
#include <string_view>

#include "vuln/feed_record.h"

namespace warden {

inline constexpr std::string_view kOracleElsaSource = "oracle-elsa";
// Decompressed input beyond this is refused (a bzip2 bomb, or not an OVAL feed).
inline constexpr uint64_t kMaxOvalBytes = 4ull << 30;

// Parses OVAL XML held in memory.
Status ImportOvalXml(std::string_view text, std::string_view origin, FeedSink& sink);
// Streams OVAL XML from an open file, bzip2-compressed when `bzip2` is true.
Status ImportOvalFile(std::FILE* file, bool bzip2, std::string_view origin, FeedSink& sink,
                      const ProgressFn& progress);

}  // namespace warden
