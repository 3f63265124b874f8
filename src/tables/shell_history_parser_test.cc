// Tests of the shell history parser on its own: each format, the edge cases
// fuzzing cares about (lone markers, continuation at the end of the file).
#include "tables/shell_history_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace warden {
namespace {

std::vector<std::pair<int64_t, std::string>> Parse(
    std::string_view text, ShellHistoryFile file = ShellHistoryFile::kPlain) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (ShellHistoryEntry& e : ParseShellHistory(text, file))
    out.emplace_back(e.time, std::move(e.command));
  return out;
}

using Entries = std::vector<std::pair<int64_t, std::string>>;

TEST(ShellHistoryParserTest, PlainLinesAreCommandsWithoutTime) {
  EXPECT_EQ(Parse("ls\n\ncd /tmp\r\n"), (Entries{{0, "ls"}, {0, "cd /tmp"}}));
}

TEST(ShellHistoryParserTest, BashTimestampDatesTheNextCommandOnly) {
  EXPECT_EQ(Parse("#1700000000\nls\npwd\n"), (Entries{{1700000000, "ls"}, {0, "pwd"}}));
  // Two timestamps in a row: the second is the command the first dates.
  EXPECT_EQ(Parse("#1\n#2\n"), (Entries{{1, "#2"}}));
  // A lone timestamp at the end dates nothing.
  EXPECT_TRUE(Parse("#1700000000\n").empty());
}

TEST(ShellHistoryParserTest, ZshExtendedLinesGiveTimeAndCommand) {
  EXPECT_EQ(Parse(": 1700000000:0;git status\n:   1700000001:12;make\n"),
            (Entries{{1700000000, "git status"}, {1700000001, "make"}}));
  // Not the extended format: too many spaces, too long a time, no ';'.
  EXPECT_EQ(Parse(":           1:0;x\n: 123456789012:0;x\n: 1:0 x\n"),
            (Entries{{0, ":           1:0;x"}, {0, ": 123456789012:0;x"}, {0, ": 1:0 x"}}));
}

TEST(ShellHistoryParserTest, ZshContinuationJoinsLinesUpToTheEnd) {
  EXPECT_EQ(Parse(": 1:0;a \\\nb \\\nc\n", ShellHistoryFile::kZsh), (Entries{{1, "a \nb \nc"}}));
  // A continuation on the last line keeps its newline and stops.
  EXPECT_EQ(Parse(": 1:0;a \\", ShellHistoryFile::kZsh), (Entries{{1, "a \\"}}));
  EXPECT_EQ(Parse(": 1:0;a \\\n", ShellHistoryFile::kZsh), (Entries{{1, "a \n"}}));
}

TEST(ShellHistoryParserTest, ZshMetafiedBytesAreDecodedInZshFilesOnly) {
  std::string metafied = "echo \x83\xa2";  // 0x83, 0x82 ^ 32
  EXPECT_EQ(Parse(metafied, ShellHistoryFile::kZsh), (Entries{{0, "echo \x82"}}));
  EXPECT_EQ(Parse(metafied, ShellHistoryFile::kPlain), (Entries{{0, metafied}}));
  // A trailing 0x83 has nothing to decode and stays.
  EXPECT_EQ(Parse("x\x83", ShellHistoryFile::kZsh), (Entries{{0, "x\x83"}}));
}

}  // namespace
}  // namespace warden
