// Printing rows of typed Values in the formats every Warden command offers:
// table (for people on a terminal), json (one array of objects), jsonl (one
// object per line), csv (RFC 4180, with spreadsheet formula-injection
// escaping). JSON keeps types: integers and doubles are numbers, NULL is null,
// non-finite doubles become null. Output is streamed: RowPrinter writes each
// row as it arrives (except `table`, which must measure widths first and
// buffers). Not for findings: those go through core/finding.h.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

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

class RowPrinter {
 public:
  virtual ~RowPrinter() = default;
  virtual void Begin(const std::vector<std::string>& columns) = 0;
  virtual void Row(const std::vector<Value>& row) = 0;
  virtual void End() = 0;
};

std::unique_ptr<RowPrinter> MakeRowPrinter(OutputFormat format, std::ostream& out);

}  // namespace warden
