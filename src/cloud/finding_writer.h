// FindingWriter prints findings in the formats `warden trail` offers:
//   jsonl - one Warden finding JSON object per line (core FindingToJson);
//   json  - the same objects in one JSON array;
//   ocsf  - one OCSF 1.1 Detection Finding (class 2004) per line;
//   table - a table for people: time, risk, rule, event, actor, account,
//           region, event id (buffered until Flush, so widths fit). Given
//           a width, the table fits it: the event id, region and account
//           go first, actor and rule are cut before the rest.
// JSON formats are streamed: each finding is rendered as text (the raw event
// spliced in as its evidence, no document built) into a buffer written out
// in large pieces. Flush() ends a batch (the table prints; `trail
// watch` flushes after every poll). Not for host query rows (RowPrinter).
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"

namespace warden {

enum class FindingFormat { kJsonl, kJson, kOcsf, kTable };
std::optional<FindingFormat> ParseFindingFormat(std::string_view name);

class FindingWriter {
 public:
  // table_width: the width a table must fit (a terminal's), 0 for none.
  FindingWriter(FindingFormat format, std::ostream& out, size_t table_width = 0)
      : format_(format), out_(out), table_width_(table_width) {}
  ~FindingWriter();
  void Write(const Finding& finding);
  // Prints buffered table rows / flushes the stream.
  void Flush();
  // Ends the output (closes the JSON array).
  void Finish();

 private:
  static constexpr size_t kFlushBytes = 256 << 10;
  void WritePending();

  FindingFormat format_;
  std::ostream& out_;
  size_t table_width_;
  bool fit_note_shown_ = false;  // one note per run, not one per batch
  std::string pending_;
  size_t written_ = 0;
  bool finished_ = false;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace warden
