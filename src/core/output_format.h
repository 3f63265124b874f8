// Printing rows of typed Values in the formats every Warden command offers:
// table (for people on a terminal), json (one array of objects), jsonl (one
// object per line), csv (RFC 4180, with spreadsheet formula-injection
// escaping). JSON keeps types: integers and doubles are numbers, NULL is null,
// non-finite doubles become null. Output is streamed, so memory stays flat
// however many rows come: json, jsonl and csv write each row as it arrives;
// `table` measures column widths on the first kTableMeasureRows rows, prints
// them, then streams the rest in those widths, cutting longer cells with an
// ellipsis. Given a TableFit with a width (a terminal's), the table fits it:
// low-priority columns are hidden and long cells cut (core/table_layout.h),
// and a one-line note under the table says so. Not for findings: those go
// through core/finding.h.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/table_layout.h"
#include "core/value.h"

namespace warden {

enum class OutputFormat { kTable, kJson, kJsonl, kCsv };

std::optional<OutputFormat> ParseOutputFormat(std::string_view name);

// Appends s to out as a JSON string literal (with quotes). Invalid UTF-8 bytes
// are replaced by U+FFFD so the output is always valid JSON.
void AppendJsonString(std::string& out, std::string_view s);
// Appends v as a JSON value.
void AppendJsonValue(std::string& out, const Value& v);
// One CSV field: quoted when needed; text starting with = + - @ TAB or CR is
// prefixed with a single quote so spreadsheets do not evaluate it.
std::string CsvField(std::string_view s);

// Rows a table printer holds to measure its column widths.
inline constexpr size_t kTableMeasureRows = 1000;

// Begin, Row..., then End (the result is complete) or Abort (the query failed
// part way). Writes go to the stream as rows come; a failed write leaves the
// stream's failbit set for the caller to notice.
class RowPrinter {
 public:
  virtual ~RowPrinter() = default;
  virtual void Begin(const std::vector<std::string>& columns) = 0;
  virtual void Row(const std::vector<Value>& row) = 0;
  virtual void End() = 0;
  // Ends the output of a failed query so that what was printed stays well
  // formed: json prints nothing if no row came yet, else closes its array (the
  // rows before the failure; the caller reports the error and exits non-zero);
  // table prints nothing if it was still measuring, else its bottom line.
  virtual void Abort() = 0;
};

// `fit` applies to kTable only; machine formats never change with it.
std::unique_ptr<RowPrinter> MakeRowPrinter(OutputFormat format, std::ostream& out,
                                           TableFit fit = {});

}  // namespace warden
