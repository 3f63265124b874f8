#include "core/output_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace warden {

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "table" || name == "pretty") return OutputFormat::kTable;
  if (name == "json") return OutputFormat::kJson;
  if (name == "jsonl" || name == "ndjson") return OutputFormat::kJsonl;
  if (name == "csv") return OutputFormat::kCsv;
  return std::nullopt;
}

namespace {

// Length of a valid UTF-8 sequence starting at s[i], or 0 when invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  if (len == 2 && c < 0xc2) return 0;  // overlong
  return len;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(s.data() + i, len);
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

void AppendJsonValue(std::string& out, const Value& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) {
    out += std::to_string(*i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    if (std::isfinite(*d)) {
      std::string t = ValueToText(v);
      out += t;
      if (t.find_first_of(".eE") == std::string::npos) out += ".0";
    } else {
      out += "null";
    }
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    AppendJsonString(out, *s);
  } else {
    out += "null";
  }
}

std::string CsvField(std::string_view s) {
  std::string v;
  if (!s.empty() &&
      (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')) {
    v += '\'';
  }
  v += s;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string q = "\"";
  for (char c : v) {
    if (c == '"') q += '"';
    q += c;
  }
  q += '"';
  return q;
}

namespace {

// json: "[" is written with the first row (or at End), so a query that fails
// before producing a row prints nothing at all rather than a lone "[".
class JsonPrinter : public RowPrinter {
 public:
  JsonPrinter(std::ostream& out, bool lines) : out_(out), lines_(lines) {}
  void Begin(const std::vector<std::string>& columns) override {
    keys_.clear();
    for (const auto& c : columns) {
      std::string k;
      AppendJsonString(k, c);
      keys_.push_back(std::move(k));
    }
    count_ = 0;
  }
  void Row(const std::vector<Value>& row) override {
    buf_.clear();
    if (!lines_) buf_ += count_ ? ",\n  " : "[\n  ";
    buf_ += '{';
    for (size_t i = 0; i < row.size() && i < keys_.size(); ++i) {
      if (i) buf_ += ',';
      buf_ += keys_[i];
      buf_ += ':';
      AppendJsonValue(buf_, row[i]);
    }
    buf_ += '}';
    if (lines_) buf_ += '\n';
    out_ << buf_;
    ++count_;
  }
  void End() override {
    if (!lines_) out_ << (count_ ? "\n]\n" : "[]\n");
    out_.flush();
  }
  void Abort() override {
    if (!lines_ && count_) out_ << "\n]\n";
    out_.flush();
  }

 private:
  std::ostream& out_;
  bool lines_;
  std::vector<std::string> keys_;
  std::string buf_;
  size_t count_ = 0;
};

class CsvPrinter : public RowPrinter {
 public:
  explicit CsvPrinter(std::ostream& out) : out_(out) {}
  void Begin(const std::vector<std::string>& columns) override {
    for (size_t i = 0; i < columns.size(); ++i) out_ << (i ? "," : "") << CsvField(columns[i]);
    out_ << "\r\n";
  }
  void Row(const std::vector<Value>& row) override {
    for (size_t i = 0; i < row.size(); ++i) out_ << (i ? "," : "") << CsvField(ValueToText(row[i]));
    out_ << "\r\n";
  }
  void End() override { out_.flush(); }
  void Abort() override { out_.flush(); }

 private:
  std::ostream& out_;
};

// s padded to `width` display columns, or cut to them with an ellipsis.
std::string FitCell(const std::string& s, size_t width) {
  const size_t w = DisplayWidth(s);
  if (w <= width) return s + std::string(width - w, ' ');
  return CutToWidth(s, width);
}

class TablePrinter : public RowPrinter {
 public:
  TablePrinter(std::ostream& out, TableFit fit) : out_(out), fit_(std::move(fit)) {}
  void Begin(const std::vector<std::string>& columns) override {
    columns_ = columns;
    rows_.clear();
    streaming_ = false;
    any_row_ = false;
  }
  void Row(const std::vector<Value>& row) override {
    std::vector<std::string> cells;
    cells.reserve(row.size());
    for (const auto& v : row) {
      std::string t = ValueToText(v);
      for (char& c : t)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
      cells.push_back(std::move(t));
    }
    any_row_ = true;
    if (streaming_) {
      Line(cells);
      return;
    }
    rows_.push_back(std::move(cells));
    if (rows_.size() >= kTableMeasureRows) StartStreaming();
  }
  void End() override {
    if (columns_.empty()) return;
    if (!streaming_) StartStreaming();
    if (any_row_) out_ << separator_ << "\n";
    PrintNote();
    out_.flush();
  }
  void Abort() override {
    if (streaming_ && any_row_) out_ << separator_ << "\n";
    rows_.clear();
    out_.flush();
  }

 private:
  // Widths from the header and the rows held so far, fit to fit_.max_width;
  // prints them and lets go.
  void StartStreaming() {
    std::vector<size_t> natural(columns_.size(), 0);
    for (size_t i = 0; i < columns_.size(); ++i) natural[i] = DisplayWidth(columns_[i]);
    for (const auto& r : rows_)
      for (size_t i = 0; i < r.size() && i < natural.size(); ++i)
        natural[i] = std::max(natural[i], DisplayWidth(r[i]));
    layout_ = LayoutTable(columns_, natural, fit_);
    separator_ = "+";
    for (size_t i = 0; i < layout_.width.size(); ++i)
      if (layout_.shown[i]) separator_ += std::string(layout_.width[i] + 2, '-') + "+";
    out_ << separator_ << "\n";
    Line(columns_);
    out_ << separator_ << "\n";
    for (const auto& r : rows_) Line(r);
    rows_.clear();
    rows_.shrink_to_fit();
    streaming_ = true;
  }
  void Line(const std::vector<std::string>& cells) {
    line_ = "|";
    for (size_t i = 0; i < layout_.width.size(); ++i) {
      if (!layout_.shown[i]) continue;
      line_ += ' ';
      line_ += FitCell(i < cells.size() ? cells[i] : std::string(), layout_.width[i]);
      line_ += " |";
    }
    line_ += '\n';
    out_ << line_;
  }

  // What was hidden or cut to fit, once per table (or once per note_shown).
  void PrintNote() {
    if (fit_.max_width == 0) return;
    if (fit_.note_shown != nullptr && *fit_.note_shown) return;
    std::string note = TableFitNote(columns_, layout_, fit_.max_width);
    if (note.empty()) return;
    out_ << note << "\n";
    if (fit_.note_shown != nullptr) *fit_.note_shown = true;
  }

  std::ostream& out_;
  TableFit fit_;
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;  // while measuring
  TableLayout layout_;
  std::string separator_;
  std::string line_;
  bool streaming_ = false;
  bool any_row_ = false;
};

}  // namespace

std::unique_ptr<RowPrinter> MakeRowPrinter(OutputFormat format, std::ostream& out, TableFit fit) {
  switch (format) {
    case OutputFormat::kJson:
      return std::make_unique<JsonPrinter>(out, false);
    case OutputFormat::kJsonl:
      return std::make_unique<JsonPrinter>(out, true);
    case OutputFormat::kCsv:
      return std::make_unique<CsvPrinter>(out);
    case OutputFormat::kTable:
      return std::make_unique<TablePrinter>(out, std::move(fit));
  }
  return std::make_unique<TablePrinter>(out, std::move(fit));
}

}  // namespace warden
