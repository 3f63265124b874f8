// Fitting a table to a width: which columns a terminal of W columns shows and
// how wide each one is, given the widths the cells would like (measured by
// the table printer) and what the command says about its columns (a
// priority, a narrowest useful width). Pure computation: it neither measures
// rows nor finds out whether output goes to a terminal (src/cli/
// terminal_table.h does that), and it never changes machine formats (json,
// jsonl and csv do not use it).
//
// The rule: when every column fits at its natural width, nothing changes.
// Otherwise optional columns (negative priority) are hidden first, lowest
// priority first (among equals the rightmost), until the table fits or none
// is left. Then columns shrink towards their minimum width; when even the
// minimums do not fit, the lowest-priority column is hidden (same order)
// until the rest fit. The room left is shared out fairly: the narrowest
// columns grow first, none past its natural width. Cells wider than their
// column are cut with an ellipsis (…).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace warden {

// What a command says about one of its columns (matched by name). Columns
// without a hint have priority 0 and the default minimum width.
struct TableColumnHint {
  std::string column;
  int priority = 0;      // higher stays longer; negative: hidden before anything is cut
  size_t min_width = 0;  // narrowest before hiding it instead; 0: the default
};

// The default narrowest width of a column that has no hint (or a hint without
// min_width): wide enough to recognise a value, narrow enough that a table of
// many columns still shows several.
inline constexpr size_t kDefaultMinColumnWidth = 10;

// How a table printer fits its table. max_width 0 means no limit: the table
// prints at its natural widths (pipes, files, --wide).
struct TableFit {
  size_t max_width = 0;
  std::vector<TableColumnHint> hints;
  // When set, the one-line note about hidden columns or cut cells is printed
  // only while *note_shown is false, which printing it sets: a command that
  // prints many tables (one per batch) says it once.
  bool* note_shown = nullptr;
};

struct TableLayout {
  std::vector<bool> shown;    // per column
  std::vector<size_t> width;  // per column; 0 when hidden
  size_t hidden = 0;          // how many columns are hidden
  bool cut = false;           // some shown column is narrower than its natural width
};

// Total width of a table whose shown columns have these widths, in the
// printer's style: "| a | bb |" is 1 + sum(width + 3).
size_t TableLineWidth(const TableLayout& layout);

// Chooses the layout. `natural` holds, per column, the widest cell (header
// included) seen while measuring.
TableLayout LayoutTable(const std::vector<std::string>& columns, const std::vector<size_t>& natural,
                        const TableFit& fit);

// The one-line note a fitted table prints under itself, or "" when nothing
// was hidden or cut: "3 of 8 columns hidden (advisory, remediation, status);
// --wide shows all". Never wider than max_width.
std::string TableFitNote(const std::vector<std::string>& columns, const TableLayout& layout,
                         size_t max_width);

// Display columns of UTF-8 text (one per character; continuation bytes do not
// count).
size_t DisplayWidth(std::string_view text);
// text when it fits in `width` display columns, else its first width - 1
// characters and "…" (cut at a character boundary). Not padded.
std::string CutToWidth(std::string_view text, size_t width);

}  // namespace warden
