// RowText writes one list row straight as text - a JSON object (a page's
// item, a JSON-lines line) or a CSV line - from typed values, with no Json
// document per row. Large lists render through it: a 10,000-row page or a
// million-row export then costs a string per row instead of a tree of
// nodes, and CSV skips the fields that are not columns without rendering
// them.
//
// The JSON is byte for byte what nlohmann's dump(-1, ' ', false, replace)
// writes for the same document (text with bytes >= 0x80 is handed to
// nlohmann, which replaces invalid UTF-8). A CSV cell is what ExportWriter
// writes for the same value: CsvField (RFC 4180 quoting, and a leading '
// before = + - @ TAB CR) over its text, nested values as compact JSON, null
// as an empty cell.
//
// Not here: which fields a row has (each list's renderer) or chunking the
// output (ExportWriter).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"  // Json
#include "store/list_query.h"

namespace warden::server {

class RowText {
 public:
  enum class Mode { kJson, kCsv };

  // kCsv: a line has exactly `columns`, in their order; a field that is not
  // a column is skipped, and a column no field fills stays empty.
  explicit RowText(Mode mode, std::vector<std::string> columns = {});

  Mode mode() const { return mode_; }
  // Starts a row that End appends to `out`.
  void Begin(std::string& out);
  RowText& String(std::string_view key, std::string_view value);
  RowText& String(std::string_view key, const std::string& value) {
    return String(key, std::string_view(value));
  }
  RowText& String(std::string_view key, const char* value) {
    return String(key, std::string_view(value));
  }
  RowText& String(std::string_view key, const std::optional<std::string>& value);  // or null
  RowText& Int(std::string_view key, int64_t value);
  RowText& Bool(std::string_view key, bool value);
  RowText& Null(std::string_view key);
  // RFC 3339 UTC of epoch milliseconds (as TimeJson); null for nullopt.
  RowText& Time(std::string_view key, store::EpochMs at);
  RowText& Time(std::string_view key, const std::optional<store::EpochMs>& at);
  // A nested value given as compact JSON text (as the store keeps it).
  RowText& RawJson(std::string_view key, std::string_view json);
  RowText& Value(std::string_view key, const Json& value);
  // Whether a field is written at all (CSV: whether it is a column), so a
  // renderer can skip building a value nobody reads.
  bool Wants(std::string_view key);
  // Ends the row: "}" or the CSV line with "\r\n".
  void End();

  // `s` as a JSON string, quotes included, as nlohmann's dump writes it.
  static void AppendJsonString(std::string& out, std::string_view s);
  // `s` as one CSV cell, as CsvField writes it.
  static void AppendCsvField(std::string& out, std::string_view s);

 private:
  // JSON: writes `"key":`. CSV: the cell of `key`, nullptr when not a column.
  std::string* Field(std::string_view key);
  int Slot(std::string_view key);

  Mode mode_;
  std::vector<std::string> columns_;
  std::string* out_ = nullptr;
  bool first_ = true;
  // CSV: this row's cells, and the column of the n-th field of a row (rows
  // of one list write their fields in the same order, so a lookup by name
  // happens once per field, not once per row).
  std::vector<std::string> cells_;
  std::vector<std::pair<std::string, int>> slot_of_call_;
  size_t call_ = 0;
};

}  // namespace warden::server
