// `warden feed import` without the command line: detects each input's format
// from its content, walks directories and OSV all.zip archives, runs the
// right importer, and writes everything through one FeedWriter, so the whole
// import is one transaction: either every file lands or the database is left
// as it was. Inputs are checked for size before they are parsed (a single
// OSV record over 16 MiB, a zip member that inflates past its declared size,
// more than 4 GiB of XML are refused, naming the file).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "vuln/feed_format.h"
#include "vuln/feed_record.h"

namespace warden {

struct FeedImportProgress {
  std::string file;         // the input being read
  uint64_t bytes_done = 0;  // of that input
  uint64_t bytes_total = 0;
  uint64_t records = 0;  // records written so far, all inputs
};

struct FeedImportOptions {
  // Called now and then while importing (the CLI draws a progress line on a terminal).
  std::function<void(const FeedImportProgress&)> progress;
};

struct FeedImportSummary {
  struct Input {
    std::string path;
    FeedFormat format = FeedFormat::kUnknown;
    uint64_t records = 0;
  };
  std::vector<Input> inputs;         // every file imported (directory members included)
  std::vector<std::string> skipped;  // directory members that are not feeds (README, ...)
  uint64_t records = 0;
};

// Imports every path (file or directory) into the database at db_path, in one transaction.
Result<FeedImportSummary> ImportFeeds(const std::string& db_path,
                                      const std::vector<std::string>& paths,
                                      const FeedImportOptions& options = {});

// Imports one file of a known format into any sink (used by ImportFeeds, the
// tests and the benchmark). Returns the records it added.
Result<uint64_t> ImportFeedFile(const std::string& path, FeedFormat format, FeedSink& sink,
                                const ProgressFn& progress = {});

}  // namespace warden
