// Helpers shared by Warden's tests: where fixtures live, scratch directories
// that clean up after themselves, running a command and capturing its output,
// waiting for a condition, and a SQL engine over a fixture root.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/host_fs.h"

namespace warden::testing {

// Absolute path of tests/fixtures/<relative>.
std::string FixturePath(const std::string& relative);
// Absolute path of a file in the source tree.
std::string SourcePath(const std::string& relative);
// Absolute path of a file in the build folder (a program built for the tests).
std::string BuiltPath(const std::string& relative);
// The built warden binary.
std::string WardenBinary();
// The whole content of a file ("" when it cannot be read).
std::string ReadFileText(const std::string& path);

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

// Waits for something a test cannot be told about directly (a file appearing,
// a daemon accepting connections, a count reached): calls `condition` every
// `poll` until it returns true, and once more at the timeout. Returns as soon
// as it holds, so a fast machine does not wait and a slow one waits up to
// `timeout`. Use it instead of a fixed sleep; keep sleeps only where the delay
// is what is tested (pacing, a job that must still be running), saying so.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
             std::chrono::milliseconds poll = std::chrono::milliseconds(10));

// The same, for ASSERT_TRUE/EXPECT_TRUE: on timeout the failure says what was
// awaited and for how long ("waited 5000 ms for rsyslogd to accept
// connections").
::testing::AssertionResult WaitFor(std::string_view what, const std::function<bool()>& condition,
                                   std::chrono::milliseconds timeout,
                                   std::chrono::milliseconds poll = std::chrono::milliseconds(10));

}  // namespace warden::testing
