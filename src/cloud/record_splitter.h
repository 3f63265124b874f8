// RecordSplitter cuts a stream of CloudTrail JSON into one text per event
// record, in bounded memory, whatever shape the stream has:
//   - CloudTrail's own files: {"Records":[{...},{...}]} (also several such
//     objects concatenated, e.g. `zcat *.json.gz`);
//   - a bare JSON array of records: [{...},{...}];
//   - JSON lines: one record per line (the fast path: after the first line
//     proves the shape, lines are cut with memchr, not scanned byte by byte);
//   - concatenated or pretty-printed record objects.
// Digest files' objects (they carry digestStartTime) are counted, not emitted.
// A "Records" key holding anything but a list, and list elements that are not
// records (strings, numbers, true/false/null), are problems with their offset.
//
// It only tracks strings and brackets; it does not validate JSON (the record
// parser does, record by record, so one broken record costs one record).
// Memory is the largest record plus one input chunk: a record longer than
// `max_record_bytes` is skipped and reported, never buffered whole. Problems
// (junk between records, oversized or truncated records) are reported through
// the problem callback with the byte offset (or line, in JSON-lines mode) and
// counted; splitting continues after them.
//
// Every emitted view has kRecordPadding readable bytes after it (simdjson
// reads ahead) and stays valid only during the callback. In JSON-lines mode
// complete lines are emitted straight from the caller's chunk (no copy), so
// a view may point into the data given to Feed. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace warden {

inline constexpr size_t kRecordPadding = 64;
inline constexpr size_t kDefaultMaxRecordBytes = 64u << 20;

struct SplitRecord {
  std::string_view text;
  size_t capacity = 0;  // readable bytes from text.data() (>= size + kRecordPadding)
  uint64_t offset = 0;  // byte offset of the record in the stream
  uint64_t line = 0;    // 1-based line in JSON-lines mode, else 0
};

class RecordSplitter {
 public:
  using RecordFn = std::function<void(const SplitRecord&)>;
  // (offset, line or 0, message)
  using ProblemFn = std::function<void(uint64_t, uint64_t, const std::string&)>;

  RecordSplitter(RecordFn on_record, ProblemFn on_problem,
                 size_t max_record_bytes = kDefaultMaxRecordBytes);
  ~RecordSplitter();
  RecordSplitter(const RecordSplitter&) = delete;
  RecordSplitter& operator=(const RecordSplitter&) = delete;

  // Adds bytes; calls on_record for every record completed by them.
  void Feed(std::string_view data);
  // End of stream: emits a final unterminated JSON line, reports a truncated
  // record. The splitter can then not be fed again.
  void Finish();

  uint64_t records() const { return records_; }
  uint64_t digests() const { return digests_; }
  uint64_t problems() const { return problems_; }
  bool json_lines() const { return mode_ == Mode::kLines; }
  // Bytes allocated for buffering (tests check that it stays bounded).
  size_t buffer_capacity() const { return cap_; }

 private:
  enum class Mode { kUndecided, kGeneric, kLines };

  void Append(std::string_view data);
  void FeedLinesInPlace(std::string_view data);
  void Process(bool final);
  // Runs the bracket/string machine over buf_[pos_, limit); returns early
  // (pos_ just past the first record) when it switches to JSON-lines mode.
  void ScanGeneric(size_t limit);
  void ResetMachine();
  void ProcessLines(bool final);
  void Emit(size_t begin, size_t end, uint64_t line);
  void Problem(size_t at, const std::string& message);
  void Compact();
  bool Idle() const { return depth_ == 0 && !in_string_; }
  // Between the elements of a record list ({"Records":[...]} or a bare array).
  bool AtRecordListLevel() const {
    return ((top_ == Top::kArray && depth_ == 1) || (wrapper_ && depth_ == 2)) &&
           record_start_ == SIZE_MAX && !skipping_record_;
  }
  // "Records" followed by a value other than a list: reported, and the
  // object around it is not taken for a record.
  void BadRecordsValue(size_t at, const char* what);

  RecordFn on_record_;
  ProblemFn on_problem_;
  size_t max_record_bytes_;

  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t size_ = 0;
  size_t pos_ = 0;     // next byte to scan
  uint64_t base_ = 0;  // stream offset of buf_[0]
  uint64_t fed_ = 0;   // bytes fed before the current Feed call

  Mode mode_ = Mode::kUndecided;
  uint64_t line_ = 1;  // current line in lines mode
  size_t line_start_ = 0;
  bool skipping_line_ = false;  // inside an oversized JSON line

  // Generic machine state.
  int64_t depth_ = 0;
  bool in_string_ = false;
  size_t backslashes_ = 0;  // run of backslashes just before pos_ in a string
  enum class Top { kNone, kObject, kArray } top_ = Top::kNone;
  size_t record_start_ = SIZE_MAX;  // buffer offset, or SIZE_MAX when not capturing
  int64_t record_depth_ = 0;
  bool skipping_record_ = false;  // oversized: tracking depth without capturing
  int64_t skip_depth_ = 0;
  uint64_t skip_offset_ = 0;
  bool wrapper_ = false;          // inside "Records":[ ... ]
  bool saw_records_key_ = false;  // the last depth-1 key was "Records"
  bool top_is_digest_ = false;
  size_t key_start_ = SIZE_MAX, key_end_ = SIZE_MAX;  // last depth-1 string
  bool junk_reported_ = false;
  bool top_was_record_ = false;
  bool top_is_bad_ = false;         // "Records" held something else than a list: not emitted
  bool in_scalar_element_ = false;  // inside a scalar where a record object belongs

  uint64_t records_ = 0, digests_ = 0, problems_ = 0;
  bool finished_ = false;
};

}  // namespace warden
