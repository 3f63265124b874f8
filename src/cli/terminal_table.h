// How Warden's output meets a terminal. When stdout is a terminal, tables
// and tabular lines fit its width: $COLUMNS when set, else the terminal's
// own width (TIOCGWINSZ), else 80. `--wide` (taken by every command) turns
// that off. Pipes, files and the machine formats (json, jsonl, csv, ocsf)
// are never changed. The column choices themselves (which column matters
// most, how narrow it may get) stay with each command; the fitting rules are
// in core/table_layout.h.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <memory>
#include <streambuf>
#include <vector>

#include "core/table_layout.h"

namespace warden {

// $COLUMNS, else the width of the terminal on stdout, else 80 (at least 20).
size_t TerminalWidth();
// The width output to stdout must fit: TerminalWidth() when stdout is a
// terminal and --wide was not given, else 0 (no limit).
size_t StdoutFitWidth();
// Adds --wide to `app` and every subcommand under it; call once, after every
// command is registered.
void AddWideFlag(CLI::App& app);
// The fit for a table printed to stdout, with the command's column hints.
TableFit StdoutTableFit(std::vector<TableColumnHint> hints = {});

// While alive, every line written to std::cout is cut to StdoutFitWidth()
// with an ellipsis (for line-per-record output: event streams, dry-run
// reports, status headers). Does nothing when there is no limit. On
// destruction the last partial line is written, std::cout is restored and,
// when a line was cut, a one-line note says that --wide shows them whole.
// Not for prose meant to wrap (descriptions, help).
class StdoutLineFit {
 public:
  StdoutLineFit();
  ~StdoutLineFit();
  StdoutLineFit(const StdoutLineFit&) = delete;
  StdoutLineFit& operator=(const StdoutLineFit&) = delete;

 private:
  class CuttingBuffer;
  std::unique_ptr<CuttingBuffer> buffer_;
  std::streambuf* saved_ = nullptr;
};

}  // namespace warden
