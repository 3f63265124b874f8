// End-to-end tests of what a person at a terminal sees: every table and
// tabular listing fits an 80- and a 120-column terminal (a pseudo-terminal of
// that size, as `script` would give), --wide shows everything, and pipes and
// machine formats are byte for byte what they were. Also the errors people
// meet first: mistyped options and tables get "did you mean", JSON output
// stays valid when a query fails, `--format` errors list every format.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/table_layout.h"
#include "testing/test_util.h"

namespace warden {
namespace {

using testing::FixturePath;
using testing::RunCommand;
using testing::RunInTerminal;
using testing::TempDir;
using testing::WardenBinary;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

size_t WidestLine(const std::string& text) {
  size_t widest = 0;
  for (const std::string& line : Lines(text)) widest = std::max(widest, DisplayWidth(line));
  return widest;
}

std::vector<std::string> Args(std::vector<std::string> args) {
  args.insert(args.begin(), WardenBinary());
  return args;
}

std::string CloudTrailFixture() { return FixturePath("cloudtrail/AWSLogs"); }

// A feed database with the bookworm tracker excerpt, for feed status and
// scan vulns.
class TerminalOutputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    db_ = dir_->path() + "/feeds.db";
    auto r = RunCommand(
        Args({"feed", "import", "--db", db_, FixturePath("vuln/feeds/tracker-bookworm.json")}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    rules_ = dir_->WriteFile("rtm.yaml", R"(
- id: RTM-011
  title: Unintended AWS API calls
  risk_level: very_high
  patterns:
    - {eventName: '.*', eventSource: 'iam.amazonaws.com', userIdentityType: 'IAMUser'}
    - {eventName: 'DeleteTrail', eventSource: 'cloudtrail.amazonaws.com', userIdentityType: '.*'}
    - {eventName: '^Create*|^Delete*|^Update*|^Stop*', eventSource: '^(?!ec2).*$', userIdentityType: '.*'}
)");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // Every command whose output is a table or a line-per-record listing.
  static std::vector<std::vector<std::string>> TableCommands() {
    return {
        {"tables"},
        {"tables", "processes"},
        {"query", "SELECT * FROM processes"},
        {"query", "SELECT * FROM listening_ports"},
        {"query", "SELECT * FROM deb_packages"},
        {"events", "rules", "--format", "table"},
        {"feed", "status", "--db", db_},
        {"scan", "vulns", "--db", db_, "--root", FixturePath("vuln/debian-root"),
         "--include-unfixed"},
        {"trail", "scan", CloudTrailFixture()},
        {"trail", "scan", "--rules", rules_, "--builtin", CloudTrailFixture()},
        {"rules", "test", rules_, "--events", CloudTrailFixture()},
    };
  }

  static TempDir* dir_;
  static std::string db_;
  static std::string rules_;
};

TempDir* TerminalOutputTest::dir_ = nullptr;
std::string TerminalOutputTest::db_;
std::string TerminalOutputTest::rules_;

TEST_F(TerminalOutputTest, EveryTableFitsEightyAndOneHundredTwentyColumns) {
  for (int width : {80, 120}) {
    for (const auto& cmd : TableCommands()) {
      std::string shown;
      for (const auto& a : cmd) shown += a + " ";
      auto r = RunInTerminal(Args(cmd), width);
      EXPECT_TRUE(r.exit_code == 0 || (cmd[0] == "scan" && r.exit_code == 1))
          << shown << "exit " << r.exit_code << ": " << r.err;
      EXPECT_FALSE(r.out.empty()) << shown;
      for (const std::string& line : Lines(r.out))
        EXPECT_LE(DisplayWidth(line), static_cast<size_t>(width))
            << shown << "at " << width << " columns:\n"
            << line;
    }
  }
}

TEST_F(TerminalOutputTest, WithoutFittingTheseTablesWouldNotFit) {
  // The check above means something: each command is wider than 120
  // columns when not fitted.
  for (const auto& cmd : TableCommands()) {
    std::vector<std::string> wide = cmd;
    wide.push_back("--wide");
    auto r = RunInTerminal(Args(wide), 80);
    std::string shown;
    for (const auto& a : cmd) shown += a + " ";
    // These depend on the host or are short: they may be narrow.
    if (cmd[0] == "feed" || (cmd[0] == "tables" && cmd.size() == 2) ||
        cmd.back().find("listening_ports") != std::string::npos)
      continue;
    EXPECT_GT(WidestLine(r.out), 120u) << shown;
  }
}

TEST_F(TerminalOutputTest, HiddenColumnsAreNamedWithTheWayToSeeThem) {
  auto r = RunInTerminal(Args({"query", "SELECT * FROM processes WHERE pid = 1"}), 80);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.back().find("columns hidden ("), std::string::npos) << lines.back();
  EXPECT_NE(lines.back().find("--wide shows all"), std::string::npos) << lines.back();
  // The columns come in query order: pid is first and stays.
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[1].rfind("| pid ", 0), 0u) << lines[1];
}

TEST_F(TerminalOutputTest, WideShowsEveryColumnOnATerminal) {
  auto r = RunInTerminal(Args({"query", "--wide", "SELECT * FROM processes WHERE pid = 1"}), 80);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto piped = RunCommand(Args({"query", "-f", "table", "SELECT * FROM processes WHERE pid = 1"}));
  // Same header as a pipe gets: every column, nothing cut, no note.
  ASSERT_GE(Lines(r.out).size(), 2u);
  ASSERT_GE(Lines(piped.out).size(), 2u);
  EXPECT_EQ(Lines(r.out)[1], Lines(piped.out)[1]);
  EXPECT_EQ(r.out.find("--wide"), std::string::npos);
  EXPECT_GT(WidestLine(r.out), 120u);
}

TEST_F(TerminalOutputTest, TheTerminalsOwnWidthIsUsedWhenColumnsIsNotSet) {
  auto r = RunInTerminal(Args({"query", "SELECT * FROM processes"}), 100, /*columns_env=*/false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(WidestLine(r.out), 100u);
}

TEST_F(TerminalOutputTest, PipesAndMachineFormatsNeverChange) {
  // A pipe with a narrow COLUMNS in the environment: the table is whole.
  auto piped =
      RunCommand({"/usr/bin/env", "COLUMNS=40", WardenBinary(), "tables", "--format", "table"});
  auto plain = RunCommand(Args({"tables", "--format", "table"}));
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out, plain.out);
  EXPECT_GT(WidestLine(piped.out), 40u);
  EXPECT_EQ(piped.out.find("\u2026"), std::string::npos);
  // JSON on a terminal is the same bytes as JSON in a pipe.
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           {"tables", "--format", "json"},
           {"feed", "status", "--db", db_, "--format", "csv"},
           {"scan", "vulns", "--db", db_, "--root", FixturePath("vuln/debian-root"), "--format",
            "json"},
           {"trail", "scan", "--format", "jsonl", CloudTrailFixture()}}) {
    auto term = RunInTerminal(Args(cmd), 40);
    auto pipe = RunCommand(Args(cmd));
    // scan vulns stamps the time of the scan (first and last seen) and feed
    // status the feeds' age, which move between the two runs: compare
    // without them (JSON members by name, CSV columns by their header).
    auto strip = [](const std::string& s) {
      std::string out;
      std::vector<bool> keep;  // per CSV column, from the header line
      for (const std::string& line : Lines(s)) {
        bool moves = false;
        for (const char* member : {"\"first_seen\"", "\"last_seen\"", "\"time\"", "\"age"})
          moves |= line.find(member) != std::string::npos;
        if (moves) continue;
        std::vector<std::string> cells;
        std::stringstream cells_in(line);
        for (std::string cell; std::getline(cells_in, cell, ',');) cells.push_back(cell);
        if (keep.empty())
          for (const std::string& cell : cells) keep.push_back(cell.rfind("age", 0) != 0);
        for (size_t i = 0; i < cells.size(); ++i)
          if (i >= keep.size() || keep[i]) out += cells[i] + ",";
        out += "\n";
      }
      return out;
    };
    EXPECT_EQ(strip(term.out), strip(pipe.out)) << cmd[0] << " " << cmd[1];
  }
}

TEST_F(TerminalOutputTest, TablesListsNamesAndCountsAndPrintsOneSchema) {
  auto list = RunCommand(Args({"tables", "--format", "table"}));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(Lines(list.out)[1].find("| table "), 0u) << Lines(list.out)[1];
  EXPECT_NE(Lines(list.out)[1].find("| columns |"), std::string::npos);
  EXPECT_NE(list.out.find("| processes "), std::string::npos);
  auto one = RunCommand(Args({"tables", "processes", "--format", "table"}));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out.rfind("processes: ", 0), 0u) << one.out;
  EXPECT_NE(one.out.find("| cmdline "), std::string::npos);
  auto json = RunCommand(Args({"tables", "listening_ports", "--format", "json"}));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out)["name"], "listening_ports");
}

TEST_F(TerminalOutputTest, MisspelledTableNameGetsDidYouMean) {
  auto schema = RunCommand(Args({"tables", "procesess"}));
  EXPECT_EQ(schema.exit_code, 2);
  EXPECT_NE(schema.err.find("did you mean 'processes'?"), std::string::npos) << schema.err;
  auto query = RunCommand(Args({"query", "SELECT pid FROM procesess"}));
  EXPECT_EQ(query.exit_code, 2);
  EXPECT_NE(query.err.find("no such table: procesess; did you mean 'processes'?"),
            std::string::npos)
      << query.err;
}

TEST_F(TerminalOutputTest, MistypedOptionGetsDidYouMeanAndTheUsageLine) {
  auto q = RunCommand(Args({"query", "--formt", "json", "SELECT 1"}));
  EXPECT_EQ(q.exit_code, 2);
  EXPECT_EQ(q.out, "");
  EXPECT_NE(q.err.find("warden query: unknown option '--formt', did you mean '--format'?"),
            std::string::npos)
      << q.err;
  EXPECT_NE(q.err.find("Usage: warden query [OPTIONS] sql"), std::string::npos) << q.err;
  EXPECT_EQ(q.err.find("not expected"), std::string::npos) << q.err;

  auto t = RunCommand(Args({"trail", "scan", "--rule", "x.yaml", CloudTrailFixture()}));
  EXPECT_EQ(t.exit_code, 2);
  EXPECT_NE(t.err.find("warden trail scan: unknown option '--rule', did you mean '--rules'?"),
            std::string::npos)
      << t.err;
  EXPECT_NE(t.err.find("Usage: warden trail scan"), std::string::npos) << t.err;

  auto far = RunCommand(Args({"query", "--zzzzzzzz", "SELECT 1"}));
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_NE(far.err.find("unknown option '--zzzzzzzz'"), std::string::npos) << far.err;
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << far.err;
}

TEST_F(TerminalOutputTest, FormatErrorsListEveryAcceptedFormat) {
  auto r = RunCommand(Args({"scan", "vulns", "--db", db_, "--format", "bad"}));
  EXPECT_EQ(r.exit_code, 2);
  for (const char* f : {"table", "json", "jsonl", "csv", "ocsf"})
    EXPECT_NE(r.err.find(f), std::string::npos) << f << " missing from: " << r.err;
}

// JSON output of a failed query is valid JSON or nothing at all: never a
// lone "[" before the error.
TEST_F(TerminalOutputTest, FailedQueryLeavesValidJsonOrNothing) {
  const std::vector<std::string> failing = {
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c",
      "SELECT * FROM vulnerabilities WHERE feed_db = '/missing'",
      "SELECT regex_match(printf('%.*c', 100000, 'a') || 'b', '(a+)+$', 0) AS m",
      "SELECT 1 AS x UNION ALL SELECT * FROM no_such_table",
  };
  for (const std::string& sql : failing) {
    for (const char* format : {"json", "jsonl"}) {
      auto r = RunCommand(Args({"query", "--timeout-ms", "50", "-f", format, sql}));
      EXPECT_EQ(r.exit_code, 2) << sql;
      EXPECT_FALSE(r.err.empty()) << sql;
      if (r.out.empty()) continue;
      if (std::string(format) == "json") {
        EXPECT_TRUE(nlohmann::json::accept(r.out)) << sql << ": " << r.out.substr(0, 200);
      } else {
        for (const std::string& line : Lines(r.out))
          EXPECT_TRUE(nlohmann::json::accept(line)) << sql << ": " << line;
      }
    }
  }
}

TEST_F(TerminalOutputTest, ProfileDirectoryIsAnErrorNotSilentlyIgnored) {
  TempDir dir;
  dir.WriteFile("profiles/acme.yaml", "organisation:\n  name: acme\n");
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"trail", "scan", "--profile", dir.path() + "/profiles",
                                 CloudTrailFixture()},
        std::vector<std::string>{"rules", "test", rules_, "--profile", dir.path() + "/profiles",
                                 "--events", CloudTrailFixture()}}) {
    auto r = RunCommand(Args(cmd));
    EXPECT_EQ(r.exit_code, 2) << cmd[0];
    EXPECT_EQ(r.out, "") << cmd[0];
    EXPECT_NE(r.err.find("is a directory"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("one profile file"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace warden
