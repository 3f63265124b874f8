#include "cli/terminal_table.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "core/strings.h"

namespace warden {
namespace {

bool g_wide = false;  // --wide

constexpr size_t kFallbackWidth = 80;
constexpr size_t kNarrowestWidth = 20;

}  // namespace

size_t TerminalWidth() {
  size_t width = 0;
  if (const char* env = std::getenv("COLUMNS"); env != nullptr && *env != '\0') {
    uint64_t n = 0;
    if (ParseUint64(env, &n) && n > 0 && n <= 100000) width = static_cast<size_t>(n);
  }
  if (width == 0) {
    struct winsize ws {};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) width = ws.ws_col;
  }
  if (width == 0) width = kFallbackWidth;
  return std::max(width, kNarrowestWidth);
}

size_t StdoutFitWidth() {
  if (g_wide || !isatty(STDOUT_FILENO)) return 0;
  return TerminalWidth();
}

void AddWideFlag(CLI::App& app) {
  app.add_flag("--wide", g_wide,
               "On a terminal, show every column and whole cells (tables are fit to its width "
               "otherwise)");
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) AddWideFlag(*sub);
}

TableFit StdoutTableFit(std::vector<TableColumnHint> hints) {
  TableFit fit;
  fit.max_width = StdoutFitWidth();
  fit.hints = std::move(hints);
  return fit;
}

// Holds a line until its newline, then passes it on cut to the width.
class StdoutLineFit::CuttingBuffer : public std::streambuf {
 public:
  CuttingBuffer(std::streambuf* target, size_t width) : target_(target), width_(width) {}
  bool cut() const { return cut_; }
  // Writes a last line that has no newline yet; true when there was one.
  bool FlushPartialLine() {
    const bool partial = !line_.empty();
    if (partial) Emit(false);
    target_->pubsync();
    return partial;
  }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    if (traits_type::to_char_type(c) == '\n') return Emit(true) ? c : traits_type::eof();
    line_ += traits_type::to_char_type(c);
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i)
      if (traits_type::eq_int_type(overflow(traits_type::to_int_type(s[i])), traits_type::eof()))
        return i;
    return n;
  }
  // A flush passes on complete lines only (they already went); a partial line
  // waits for its end so that it can be cut as a whole.
  int sync() override { return target_->pubsync(); }

 private:
  bool Emit(bool newline) {
    std::string out = CutToWidth(line_, width_);
    if (out.size() != line_.size()) cut_ = true;
    if (newline) out += '\n';
    line_.clear();
    return target_->sputn(out.data(), static_cast<std::streamsize>(out.size())) ==
           static_cast<std::streamsize>(out.size());
  }

  std::streambuf* target_;
  size_t width_;
  std::string line_;
  bool cut_ = false;
};

StdoutLineFit::StdoutLineFit() {
  const size_t width = StdoutFitWidth();
  if (width == 0) return;
  buffer_ = std::make_unique<CuttingBuffer>(std::cout.rdbuf(), width);
  saved_ = std::cout.rdbuf(buffer_.get());
}

StdoutLineFit::~StdoutLineFit() {
  if (!buffer_) return;
  std::cout.flush();
  const bool partial = buffer_->FlushPartialLine();
  std::cout.rdbuf(saved_);
  if (buffer_->cut())
    std::cout << (partial ? "\n" : "")
              << CutToWidth("long lines cut; --wide shows them whole", StdoutFitWidth()) << "\n";
  std::cout.flush();
}

}  // namespace warden
