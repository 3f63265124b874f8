// CloudTrailReader turns the inputs a user points Warden at into a stream of
// raw event records: files (.json, .json.gz, JSON lines, bare arrays; gzip is
// recognised by its magic bytes, not its name), directories walked
// recursively in sorted order (the S3 layout AWSLogs/<acct>/CloudTrail/
// <region>/YYYY/MM/DD/), and stdin ("-"). Digest and Insight files are
// recognised by their S3 names and skipped with a count. With Follow(), it
// keeps polling directories and reads files that appear (once their size is
// stable) and lines appended to JSON-lines files.
//
// Streaming: files are read and decompressed in 1 MiB chunks through a
// RecordSplitter, so memory is bounded by the largest record, not the file.
// Bad input never stops a scan: unreadable files and directories met while
// walking, truncated or corrupt gzip, junk between records are reported
// through the problem callback (one line naming the file and where) and
// counted; the records before the damage are kept. The reader does not parse
// records (the scanner does).
//
// Inputs that are not regular files (stdin, a FIFO, a character device such
// as /dev/zero) are streamed with the same bounds as regular files (memory
// bounded by the largest record) and never block without looking at the stop
// predicate: opening does not wait for a FIFO's writer, and each read waits
// at most kStopPollMillis before the predicate is asked again. Sockets and
// block devices are refused. Not thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/record_splitter.h"
#include "core/status.h"

namespace warden {

struct InputStats {
  uint64_t files = 0;  // data files read (or started)
  uint64_t digest_files_skipped = 0;
  uint64_t insight_files_skipped = 0;
  uint64_t other_files_skipped = 0;     // in directories: not .json/.gz/.jsonl
  uint64_t failed_files = 0;            // unreadable, truncated or corrupt gzip
  uint64_t unreadable_directories = 0;  // met while walking (named ones are errors)
  uint64_t records = 0;
  uint64_t digest_records = 0;  // digest objects met inside data files
  uint64_t bad_records = 0;     // junk, oversized or truncated records
  uint64_t bytes = 0;           // decompressed bytes
};

// Where a record came from, for messages and evidence.
struct RecordOrigin {
  const std::string* source = nullptr;  // file path or "<stdin>"
  uint64_t offset = 0;                  // decompressed byte offset
  uint64_t line = 0;                    // in JSON-lines files, else 0
};

enum class InputKind { kData, kDigest, kInsight, kOther };
// By name: CloudTrail-Digest / CloudTrail-Insight in the S3 key; .json,
// .json.gz, .jsonl, .ndjson, .gz are data.
InputKind ClassifyInputPath(std::string_view path);

class CloudTrailReader {
 public:
  using RecordFn = std::function<void(const SplitRecord&, const RecordOrigin&)>;
  using ProblemFn = std::function<void(const std::string& message)>;

  CloudTrailReader(RecordFn on_record, ProblemFn on_problem,
                   size_t max_record_bytes = kDefaultMaxRecordBytes);

  // A file, a directory, or "-" for stdin. Fails (without calling the
  // problem callback: the caller reports it, once) only when the path does
  // not exist, cannot be opened at all, or is a socket or block device;
  // damage inside files and unreadable entries inside directories are
  // problems, not errors.
  Status ReadPath(const std::string& path);
  // Reads an already open descriptor to its end (or until stop).
  Status ReadDescriptor(int fd, const std::string& name);

  // Asked between chunks and while waiting for data on pipes and devices;
  // once it returns true, reading ends as if the input had ended and
  // stopped() turns true. Set it before reading.
  void set_stop(std::function<bool()> stop) { stop_ = std::move(stop); }
  bool stopped() const { return stopped_; }
  static constexpr int kStopPollMillis = 100;

  struct FollowOptions {
    std::chrono::milliseconds interval{2000};
    bool read_existing = false;        // also read files present at start
    std::chrono::seconds duration{0};  // 0 = until stop() returns true
    // Positions persisted by an earlier run: bytes of each file already
    // consumed. With it, files present at start are read from there (a
    // plain file grown past it with complete lines) or not at all (a gzip
    // file, read whole once), and files it does not name are read whole,
    // whatever read_existing says: a restart neither repeats nor skips.
    const std::map<std::string, uint64_t>* resume_from = nullptr;
    // After each file read, once its records have been delivered: the file
    // and the bytes of it consumed so far (what to persist).
    std::function<void(const std::string& path, uint64_t consumed)> on_file_read;
  };
  // Polls `paths` (files or directories) for new data until `stop` returns
  // true or the duration passes. `after_batch` runs after each poll that read
  // something (flush output there).
  Status Follow(const std::vector<std::string>& paths, const FollowOptions& options,
                const std::function<bool()>& stop, const std::function<void()>& after_batch);

  const InputStats& stats() const { return stats_; }

 private:
  // Opens and reads one file; failures to open come back as a Status (the
  // caller reports them) and count as failed files.
  Status ReadFile(const std::string& path, uint64_t from_offset, uint64_t* consumed_to);
  // ReadFile for a file met while walking or following: failures are problems.
  void ReadFoundFile(const std::string& path, uint64_t from_offset, uint64_t* consumed_to);
  // The regular files under `dir` in sorted order (symbolic links to
  // directories are not followed). Fails when `dir` itself cannot be read;
  // unreadable subdirectories are problems.
  Status Walk(const std::string& dir, std::vector<std::string>* files, bool count_skips);
  void ReadStream(int fd, const std::string& name, uint64_t limit, uint64_t* consumed);
  uint64_t FeedMapped(int fd, RecordSplitter& splitter);
  bool ShouldStop();
  // For pipes and devices: waits until `fd` is readable or stop; false on stop.
  bool WaitReadable(int fd);

  RecordFn on_record_;
  ProblemFn on_problem_;
  size_t max_record_bytes_;
  // Mapping is off while following: a file being written, rotated or
  // truncated under a mapping would raise SIGBUS; read() just sees less.
  bool map_large_files_ = true;
  InputStats stats_;
  std::function<bool()> stop_;
  bool stopped_ = false;
};

}  // namespace warden
