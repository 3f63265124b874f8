// Helpers shared by Warden's tests: where fixtures live, scratch directories
// that clean up after themselves, running a command and capturing its output,
// and a SQL engine over a fixture root.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/host_fs.h"

namespace warden::testing {

// Absolute path of tests/fixtures/<relative>.
std::string FixturePath(const std::string& relative);
// Absolute path of a file in the source tree.
std::string SourcePath(const std::string& relative);
// The built warden binary.
std::string WardenBinary();

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes a file (creating parent directories) and returns its full path.
  std::string WriteFile(const std::string& relative, const std::string& content) const;

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs argv (no shell), with optional stdin text; captures stdout and stderr.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& stdin_text = "");
// Runs a shell command line with /bin/sh -c.
CommandResult RunShell(const std::string& command_line);
// Runs argv with stdout on a pseudo-terminal `columns` wide (stdin empty,
// stderr a pipe), as a person at a terminal would, and with COLUMNS=columns
// in its environment (or COLUMNS removed when columns_env is false, so only
// the terminal's own size tells). Output post-processing is off, so lines end
// in "\n" as written.
CommandResult RunInTerminal(const std::vector<std::string>& argv, int columns,
                            bool columns_env = true);

}  // namespace warden::testing
