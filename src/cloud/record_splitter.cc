#include "cloud/record_splitter.h"

#include <algorithm>
#include <cstring>

namespace warden {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Narrows [*s, *e) of a JSON line to its non-blank part and says whether
// that is one record object: {...} but not a CloudTrail file on one line
// ({"Records":[...]}), which needs the full state machine.
bool TrimToRecordLine(const char* b, size_t* s, size_t* e) {
  while (*s < *e && IsBlank(b[*s])) ++*s;
  while (*e > *s && IsBlank(b[*e - 1])) --*e;
  if (*s == *e || b[*s] != '{' || b[*e - 1] != '}') return false;
  size_t k = *s + 1;
  while (k < *e && IsBlank(b[k])) ++k;
  return !(*e - k >= 9 && std::memcmp(b + k, "\"Records\"", 9) == 0);
}

bool KeyIs(const char* b, size_t start, size_t end, std::string_view word) {
  return end - start == word.size() && std::memcmp(b + start, word.data(), word.size()) == 0;
}

}  // namespace

RecordSplitter::RecordSplitter(RecordFn on_record, ProblemFn on_problem, size_t max_record_bytes)
    : on_record_(std::move(on_record)),
      on_problem_(std::move(on_problem)),
      max_record_bytes_(std::max<size_t>(max_record_bytes, 16)) {}

RecordSplitter::~RecordSplitter() = default;

void RecordSplitter::Problem(size_t at, const std::string& message) {
  ++problems_;
  if (on_problem_) on_problem_(base_ + at, mode_ == Mode::kLines ? line_ : 0, message);
}

void RecordSplitter::BadRecordsValue(size_t at, const char* what) {
  saw_records_key_ = false;
  if (top_is_bad_) return;
  top_is_bad_ = true;
  Problem(at, std::string("\"Records\" holds ") + what +
                  ", not a list of records; the object is skipped");
}

void RecordSplitter::Emit(size_t begin, size_t end, uint64_t line) {
  while (begin < end && IsBlank(buf_[begin])) ++begin;
  while (end > begin && IsBlank(buf_[end - 1])) --end;
  if (begin == end) return;
  ++records_;
  SplitRecord r;
  r.text = std::string_view(buf_.get() + begin, end - begin);
  r.capacity = cap_ - begin;
  r.offset = base_ + begin;
  r.line = line;
  on_record_(r);
}

void RecordSplitter::Compact() {
  size_t keep = pos_;
  if (record_start_ != SIZE_MAX) keep = std::min(keep, record_start_);
  if (key_start_ != SIZE_MAX) keep = std::min(keep, key_start_);
  if (mode_ == Mode::kLines) keep = std::min(keep, line_start_);
  if (keep == 0) return;
  std::memmove(buf_.get(), buf_.get() + keep, size_ - keep);
  size_ -= keep;
  pos_ -= keep;
  line_start_ = line_start_ >= keep ? line_start_ - keep : 0;
  if (record_start_ != SIZE_MAX) record_start_ -= keep;
  if (key_start_ != SIZE_MAX) key_start_ -= keep;
  if (key_end_ != SIZE_MAX) key_end_ = key_end_ >= keep ? key_end_ - keep : SIZE_MAX;
  base_ += keep;
}

void RecordSplitter::Append(std::string_view data) {
  Compact();
  size_t need = size_ + data.size() + kRecordPadding;
  if (need > cap_) {
    size_t cap = std::max(need, cap_ * 2);
    // Not value-initialised: only bytes below size_ + kRecordPadding are read.
    std::unique_ptr<char[]> grown(new char[cap]);
    if (size_ > 0) std::memcpy(grown.get(), buf_.get(), size_);
    buf_ = std::move(grown);
    cap_ = cap;
  }
  std::memcpy(buf_.get() + size_, data.data(), data.size());
  size_ += data.size();
  std::memset(buf_.get() + size_, 0, kRecordPadding);
}

void RecordSplitter::Feed(std::string_view data) {
  if (finished_ || data.empty()) return;
  if (mode_ == Mode::kLines && !skipping_line_ && data.size() > 4 * kRecordPadding) {
    FeedLinesInPlace(data);
  } else {
    Append(data);
    Process(false);
  }
  fed_ += data.size();
}

// JSON lines without copying: complete lines that leave kRecordPadding bytes
// of the caller's data after them are emitted where they are; a partial line
// at either end goes through the internal buffer.
void RecordSplitter::FeedLinesInPlace(std::string_view data) {
  size_t p = 0;
  if (size_ > pos_) {
    // A line started in an earlier chunk: finish it in the buffer.
    const void* nl = std::memchr(data.data(), '\n', data.size());
    if (nl == nullptr) {
      Append(data);
      Process(false);
      return;
    }
    p = static_cast<size_t>(static_cast<const char*>(nl) - data.data()) + 1;
    Append(data.substr(0, p));
    Process(false);
    if (mode_ != Mode::kLines || skipping_line_ || size_ > pos_) {
      Append(data.substr(p));
      Process(false);
      return;
    }
  }
  // The buffer holds nothing pending: restart it at the first unread byte.
  size_ = pos_ = line_start_ = 0;
  const char* b = data.data();
  const size_t safe_end = data.size() - kRecordPadding;
  while (p < safe_end) {
    const void* nl = std::memchr(b + p, '\n', safe_end - p);
    if (nl == nullptr) break;
    size_t end = static_cast<size_t>(static_cast<const char*>(nl) - b);
    size_t s = p, e = end;
    const bool object_line = TrimToRecordLine(b, &s, &e);
    if (s < e) {
      if (!object_line || e - s > max_record_bytes_) {
        // Rare: let the buffered path handle (and report) this line.
        base_ = fed_ + p;
        Append(data.substr(p, end + 1 - p));
        Process(false);  // counts the line itself
        size_ = pos_ = line_start_ = 0;
        p = end + 1;
        continue;
      } else {
        ++records_;
        SplitRecord r;
        r.text = std::string_view(b + s, e - s);
        r.capacity = data.size() - s;
        r.offset = fed_ + s;
        r.line = line_;
        on_record_(r);
      }
    }
    ++line_;
    p = end + 1;
  }
  base_ = fed_ + p;
  Append(data.substr(p));
  Process(false);
}

void RecordSplitter::Finish() {
  if (finished_) return;
  if (buf_ == nullptr) {
    buf_ = std::make_unique<char[]>(kRecordPadding);
    cap_ = kRecordPadding;
  }
  Process(true);
  finished_ = true;
  if (record_start_ != SIZE_MAX || depth_ > 0 || in_string_ || skipping_record_) {
    Problem(record_start_ != SIZE_MAX ? record_start_ : pos_,
            "truncated: the data ended inside a record");
  }
}

void RecordSplitter::Process(bool final) {
  while (pos_ < size_) {
    if (mode_ == Mode::kLines) {
      ProcessLines(final);
      return;
    }
    ScanGeneric(size_);
  }
}

void RecordSplitter::ResetMachine() {
  depth_ = 0;
  in_string_ = false;
  backslashes_ = 0;
  top_ = Top::kNone;
  record_start_ = SIZE_MAX;
  skipping_record_ = false;
  wrapper_ = false;
  saw_records_key_ = false;
  top_is_digest_ = false;
  key_start_ = key_end_ = SIZE_MAX;
}

void RecordSplitter::ProcessLines(bool final) {
  const char* b = buf_.get();
  while (pos_ < size_) {
    const void* nl = std::memchr(b + pos_, '\n', size_ - pos_);
    size_t end;
    if (nl == nullptr) {
      if (!final) {
        if (skipping_line_) {
          pos_ = line_start_ = size_;  // still inside an oversized line
        } else if (size_ - pos_ > max_record_bytes_) {
          Problem(pos_, "line longer than " + std::to_string(max_record_bytes_) + " bytes skipped");
          skipping_line_ = true;
          pos_ = line_start_ = size_;
        }
        return;
      }
      end = size_;
    } else {
      end = static_cast<size_t>(static_cast<const char*>(nl) - b);
    }
    if (skipping_line_) {
      skipping_line_ = false;  // the oversized line ends here
    } else {
      size_t s = pos_, e = end;
      const bool object_line = TrimToRecordLine(b, &s, &e);
      if (s < e) {
        if (!object_line) {
          // A wrapper or an array on one line: the machine, bounded to the line.
          pos_ = s;
          ScanGeneric(e);
          if (!Idle() || record_start_ != SIZE_MAX || skipping_record_) {
            Problem(s, "incomplete JSON on this line");
            ResetMachine();
          }
        } else if (e - s > max_record_bytes_) {
          Problem(s, "line longer than " + std::to_string(max_record_bytes_) + " bytes skipped");
        } else {
          Emit(s, e, line_);
        }
      }
    }
    pos_ = nl == nullptr ? size_ : end + 1;
    line_start_ = pos_;
    if (nl != nullptr) ++line_;
  }
}

void RecordSplitter::ScanGeneric(size_t limit) {
  const char* b = buf_.get();
  size_t i = pos_;
  while (i < limit) {
    if (in_string_) {
      const void* q = std::memchr(b + i, '"', limit - i);
      if (q == nullptr) {
        size_t run = 0;
        while (run < limit - i && b[limit - 1 - run] == '\\') ++run;
        backslashes_ = run == limit - i ? backslashes_ + run : run;
        i = limit;
        break;
      }
      size_t j = static_cast<size_t>(static_cast<const char*>(q) - b);
      size_t run = 0;
      while (j - run > i && b[j - run - 1] == '\\') ++run;
      if (j - run == i) run += backslashes_;
      backslashes_ = 0;
      i = j + 1;
      if (run % 2 == 1) continue;  // an escaped quote
      in_string_ = false;
      if (depth_ == 1 && top_ == Top::kObject && !wrapper_ && key_start_ != SIZE_MAX) key_end_ = j;
      continue;
    }
    const char c = b[i];
    switch (c) {
      case '"':
        in_string_ = true;
        backslashes_ = 0;
        if (depth_ == 1 && saw_records_key_) BadRecordsValue(i, "a string");
        if (AtRecordListLevel()) Problem(i, "a string where a record object belongs; skipped");
        if (depth_ == 1 && top_ == Top::kObject && !wrapper_) {
          key_start_ = i + 1;
          key_end_ = SIZE_MAX;
        }
        break;
      case ':':
        if (depth_ == 1 && top_ == Top::kObject && key_start_ != SIZE_MAX && key_end_ != SIZE_MAX) {
          saw_records_key_ = KeyIs(b, key_start_, key_end_, "Records");
          if (KeyIs(b, key_start_, key_end_, "digestStartTime") ||
              KeyIs(b, key_start_, key_end_, "digestPublicKeyFingerprint"))
            top_is_digest_ = true;
        }
        key_start_ = key_end_ = SIZE_MAX;
        break;
      case ',':
        if (depth_ == 1) saw_records_key_ = false;
        key_start_ = key_end_ = SIZE_MAX;
        in_scalar_element_ = false;
        break;
      case '{':
      case '[': {
        if (depth_ == 0) {
          junk_reported_ = false;
          top_ = c == '{' ? Top::kObject : Top::kArray;
          top_is_digest_ = false;
          saw_records_key_ = false;
          wrapper_ = false;
          top_was_record_ = false;
          top_is_bad_ = false;
          in_scalar_element_ = false;
          key_start_ = key_end_ = SIZE_MAX;
          if (top_ == Top::kObject && !skipping_record_) {
            record_start_ = i;
            record_depth_ = 0;
          }
          depth_ = 1;
          break;
        }
        if (depth_ == 1 && top_ == Top::kObject && !wrapper_ && saw_records_key_ && c == '[') {
          // {"Records":[ : a CloudTrail file; its array's elements are the records.
          wrapper_ = true;
          saw_records_key_ = false;
          record_start_ = SIZE_MAX;
          depth_ = 2;
          break;
        }
        if (depth_ == 1 && saw_records_key_) BadRecordsValue(i, "an object");
        bool element = (top_ == Top::kArray && depth_ == 1) || (wrapper_ && depth_ == 2);
        if (element && record_start_ == SIZE_MAX && !skipping_record_) {
          record_start_ = i;
          record_depth_ = depth_;
        }
        ++depth_;
        break;
      }
      case '}':
      case ']': {
        if (depth_ == 0) {
          if (!junk_reported_) Problem(i, std::string("unexpected '") + c + "' between records");
          junk_reported_ = true;
          break;
        }
        --depth_;
        in_scalar_element_ = false;
        if (skipping_record_ && depth_ == skip_depth_) {
          skipping_record_ = false;
          ++problems_;
          if (on_problem_)
            on_problem_(
                skip_offset_, 0,
                "record larger than " + std::to_string(max_record_bytes_) + " bytes skipped");
        } else if (record_start_ != SIZE_MAX && depth_ == record_depth_) {
          if (record_depth_ == 0 && top_is_digest_) {
            ++digests_;
          } else if (record_depth_ == 0 && top_is_bad_) {
            // Reported when "Records" was met.
          } else if (i + 1 - record_start_ > max_record_bytes_) {
            Problem(record_start_,
                    "record larger than " + std::to_string(max_record_bytes_) + " bytes skipped");
          } else {
            // Line numbers are known while the shape is undecided (the first record).
            Emit(record_start_, i + 1, mode_ == Mode::kUndecided && record_depth_ == 0 ? line_ : 0);
            top_was_record_ = record_depth_ == 0;
          }
          record_start_ = SIZE_MAX;
        }
        if (wrapper_ && depth_ == 1 && c == ']') wrapper_ = false;
        if (depth_ == 0) {
          top_ = Top::kNone;
          key_start_ = key_end_ = SIZE_MAX;  // or Compact would keep the whole stream
          if (mode_ == Mode::kUndecided) {
            mode_ = Mode::kGeneric;
            if (top_was_record_) {
              // The first record was one object on one line: switch to the
              // JSON-lines fast path from the next byte on.
              mode_ = Mode::kLines;
              pos_ = i + 1;
              line_start_ = pos_;
              return;
            }
          }
        }
        break;
      }
      case '\n':
        if (mode_ == Mode::kUndecided) {
          ++line_;
          if (record_start_ != SIZE_MAX) mode_ = Mode::kGeneric;  // the first record spans lines
        }
        break;
      case ' ':
      case '\t':
      case '\r':
        break;
      default:
        if (depth_ == 0) {
          if (!junk_reported_) Problem(i, "unexpected data between records");
          junk_reported_ = true;
        } else if (depth_ == 1 && saw_records_key_) {
          BadRecordsValue(i, "a number, true, false or null");
        } else if (AtRecordListLevel() && !in_scalar_element_) {
          in_scalar_element_ = true;
          Problem(i, "a number, true, false or null where a record object belongs; skipped");
        }
        break;
    }
    ++i;
  }
  pos_ = i;
  if (record_start_ != SIZE_MAX && pos_ - record_start_ > max_record_bytes_) {
    skipping_record_ = true;
    skip_depth_ = record_depth_;
    skip_offset_ = base_ + record_start_;
    record_start_ = SIZE_MAX;
  }
}

}  // namespace warden
