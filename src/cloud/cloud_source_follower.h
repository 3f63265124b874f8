// CloudSourceFollower follows one cloud account's CloudTrail directory
// (plain, or the S3 layout AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/)
// with the account's rule set, and hands over each file it read as one
// batch: the findings the file produced and the file's new position. A
// caller that stores both in one write (the server: problems and the
// source's position) gets exactly-once evaluation across restarts: a
// follower started from the stored positions neither repeats nor skips. A
// batch the caller cannot store stops the follower without advancing that
// position, so the next start reads the file again.
//
// Malformed files and records are reported in their batch with the file
// and byte offset (the reader's problems) and skipped; nothing else stops.
// Not here: storing anything, choosing which accounts or directories to
// follow, suppressions (the profile's, if any, still apply).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cloud/trail_profile.h"
#include "cloud/trail_scanner.h"
#include "core/finding.h"
#include "core/status.h"

namespace warden {

struct CloudSourceBatch {
  std::string path;       // the file read
  uint64_t position = 0;  // bytes of it consumed, to store
  std::vector<Finding> findings;
  uint64_t events = 0;                // records evaluated from this file
  std::vector<std::string> problems;  // malformed input, with file and offset
};

class CloudSourceFollower {
 public:
  struct Options {
    std::string directory;
    std::chrono::milliseconds interval{2000};
    // Positions stored by earlier runs (path -> bytes consumed).
    std::map<std::string, uint64_t> positions;
  };
  // The batch's consumer; an error stops the follower (Run returns it).
  using BatchFn = std::function<Status(CloudSourceBatch&& batch)>;

  // `rules`: the catalog (and rule files); `profile`: the account's
  // settings (BuildCloudAccountProfile).
  static Result<std::unique_ptr<CloudSourceFollower>> Create(const std::vector<Rule>& rules,
                                                             TrailProfile profile, Options options);

  // Reads what the positions have not covered, then follows new files and
  // appended lines until `stop` returns true or `on_batch` fails.
  Status Run(const std::function<bool()>& stop, const BatchFn& on_batch);

  // The positions after the batches stored so far.
  const std::map<std::string, uint64_t>& positions() const { return options_.positions; }

 private:
  CloudSourceFollower() = default;

  std::unique_ptr<TrailProfile> profile_;  // the scanner keeps a pointer to it
  std::unique_ptr<TrailScanner> scanner_;
  Options options_;
};

}  // namespace warden
